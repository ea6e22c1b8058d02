using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Tls.OpenSsl;

namespace OcspStapling.Engine.Tls;

/// <summary>
/// A TLS server that staples from its first connection on, for one or many certificates chosen by SNI: each
/// certificate's staple is loaded and verified before it accepts, refreshed in the background (through the shared
/// store when it has one), swapped live, and withdrawn at expiry; renewed certificate files are served without a
/// restart. Handshakes are done by OpenSSL 3 directly on Linux (nginx's event-loop model) or by SslStream elsewhere;
/// the listener forwards decrypted traffic to a backend (stunnel-like) or answers each connection with a short
/// status page.
/// </summary>
public sealed class StaplingListener : IAsyncDisposable
{
    /// <summary>Sites started at once at start-up (each may wait on its responder for its first staple).</summary>
    private const int StartConcurrency = 8;

    /// <summary>Certificates listed on the status page; a listener over thousands of sites says how many more.</summary>
    private const int StatusPageSites = 20;

    private readonly ListenerOptions _options;
    private readonly TcpListener _tcp;
    private readonly ITlsFront _front;
    private readonly HandshakeCounters _counters = new();
    private readonly StapleFetcher _fetcher;
    private readonly StoreStapleSource? _store;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _reloading = new(1, 1);
    private readonly IOperationLog _log;
    private volatile ListenerSite[] _sites = Array.Empty<ListenerSite>();
    private Task _watch = Task.CompletedTask;
    private Tls.MetricsEndpoint? _metrics;
    private long _connections;
    private int _stopping;

    private StaplingListener(ListenerOptions options, IOperationLog log)
    {
        _options = options;
        _log = log;
        _fetcher = new StapleFetcher(options.Transport);
        try
        {
            _store = options.Store != null && options.StapleFile == null ? OpenStore(options, _fetcher, log) : null;
            _front = TlsFronts.Create(options, _counters, log);
        }
        catch
        {
            _store?.Dispose();
            _fetcher.Dispose();
            throw;
        }
        _tcp = new TcpListener(options.Address, options.Port);
    }

    private static StoreStapleSource? OpenStore(ListenerOptions options, StapleFetcher fetcher, IOperationLog log)
    {
        try
        {
            return new StoreStapleSource(Store.StapleStores.Open(options.Store!), options, fetcher, log);
        }
        catch (StaplingException e) when (options.StoreOptional)
        {
            log.Warning($"{e.Message} Staples are kept in memory only; name a store this user can use to share them with update.");
            return null;
        }
    }

    /// <summary>True when handshakes can carry the staple on this runtime.</summary>
    public bool CanStaple => _front.CanStaple;

    /// <summary>What completes the TLS handshakes: OpenSSL 3 directly, or SslStream.</summary>
    public string TlsImplementation => _front.Description;

    /// <summary>Loads every certificate's first staple, then starts accepting. Returns once connections are accepted.</summary>
    public static async Task<StaplingListener> StartAsync(ListenerOptions options, IOperationLog? log = null, CancellationToken cancel = default)
    {
        Validate(options);
        var listener = new StaplingListener(options, log ?? SilentLog.Instance);
        try
        {
            listener._log.Verbose($"TLS handshakes by {listener.TlsImplementation}.");
            if (listener._store != null)
                listener._log.Verbose($"Staples are shared through the store {listener._store.Location}.");
            await listener.StartSitesAsync(cancel).ConfigureAwait(false);
            listener.Listen();
            if (options.Metrics is { } metrics)
                listener._metrics = Tls.MetricsEndpoint.Start(metrics, () => Reporting.ListenerMetrics.Render(listener, DateTimeOffset.UtcNow));
        }
        catch
        {
            await listener.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        listener._watch = Task.Run(() => listener.WatchAsync(listener._stop.Token));
        return listener;
    }

    private static void Validate(ListenerOptions options)
    {
        if (options.Certificates.Count == 0)
            throw new StaplingException(FailureReason.InvalidArgument, "certificates", "No certificate to serve: give at least one certificate with its key.");
        if (options.StapleFile != null && options.Certificates.Count > 1)
            throw new StaplingException(FailureReason.InvalidArgument, options.StapleFile, $"A staple file belongs to one certificate, and {options.Certificates.Count} were given; serve the others from another listener, or let the listener fetch their staples.");
        foreach (var served in options.Certificates)
        {
            if (!served.Certificate.HasPrivateKey)
                throw new StaplingException(FailureReason.InvalidArgument, served.CertificateFile ?? served.Subject, $"The certificate '{served.CertificateFile ?? served.Subject}' has no private key; give the key file or a PFX.");
        }
    }

    private async Task StartSitesAsync(CancellationToken cancel)
    {
        var sites = new ListenerSite?[_options.Certificates.Count];
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, sites.Length), new ParallelOptions { MaxDegreeOfParallelism = StartConcurrency, CancellationToken = cancel }, async (i, token) =>
            {
                var served = _options.Certificates[i];
                sites[i] = await ListenerSite.StartAsync(served, FileStamp.Of(served), _front, _options, _fetcher, _store, _log, token).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        catch
        {
            foreach (var started in sites.OfType<ListenerSite>())
                await started.CloseAsync().ConfigureAwait(false);
            throw;
        }
        Publish(sites.Select(s => s!).ToArray());
    }

    private void Publish(ListenerSite[] sites)
    {
        _front.Serve(new ServerNameTable<IServedContext>(sites.Select(s => (s.Certificate, s.Context)).ToList()));
        _sites = sites;
    }

    private void Listen()
    {
        try
        {
            _tcp.Start(backlog: 1024);
        }
        catch (SocketException e)
        {
            throw new StaplingException(FailureReason.InvalidArgument, $"{_options.Address}:{_options.Port}", $"Cannot listen on {_options.Address}:{_options.Port}: {e.Message}.", e);
        }
        // Kept: once stopped, TcpListener reports the requested endpoint (port 0), not the one it had.
        Endpoint = (IPEndPoint)_tcp.LocalEndpoint;
        try
        {
            _front.Start(_tcp, ServeAsync);
        }
        catch (InvalidOperationException e)
        {
            throw new StaplingException(FailureReason.InvalidArgument, $"{_options.Address}:{_options.Port}", e.Message, e);
        }
    }

    /// <summary>
    /// Reads certificate and key files that changed since they were last read (what SIGHUP does; the listener also
    /// checks every <see cref="ListenerOptions.CertificatePollInterval"/>). A renewed certificate is served from the
    /// next handshake on, with its staple when the responder gives one; a pair that cannot be read (half written,
    /// key not matching) is ignored, and the certificate being served is kept, until the files change again.
    /// </summary>
    public async Task ReloadAsync(CancellationToken cancel = default)
    {
        await _reloading.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _stopping) == 1)
                return;
            var sites = _sites;
            var renewed = (ListenerSite[])sites.Clone();
            var replaced = new List<ListenerSite>();
            for (var i = 0; i < sites.Length; i++)
            {
                if (await RenewAsync(sites[i], cancel).ConfigureAwait(false) is { } site)
                {
                    renewed[i] = site;
                    replaced.Add(sites[i]);
                }
            }
            if (replaced.Count == 0)
                return;
            Publish(renewed);
            foreach (var old in replaced)
                await RetireAsync(old).ConfigureAwait(false);
        }
        finally
        {
            _reloading.Release();
        }
    }

    /// <summary>The site serving the renewed files, or null when nothing (readable) changed.</summary>
    private async Task<ListenerSite?> RenewAsync(ListenerSite site, CancellationToken cancel)
    {
        var stamp = FileStamp.Of(site.Served);
        if (stamp == null || stamp == site.Stamp || stamp == site.Rejected)
            return null;
        ServedCertificate served;
        try
        {
            served = site.Served.Reload();
            if (!served.Certificate.HasPrivateKey)
                throw new StaplingException(FailureReason.InvalidArgument, served.CertificateFile!, "it has no private key");
        }
        catch (StaplingException e)
        {
            return Rejected(site, stamp.Value, e.Message);
        }
        if (served.Certificate.Thumbprint == site.Certificate.Thumbprint)
        {
            site.Rejected = stamp; // touched, or rewritten with the same certificate: nothing to do until it changes
            return null;
        }
        ListenerSite renewed;
        try
        {
            renewed = await ListenerSite.StartAsync(served, stamp, _front, _options, _fetcher, _store, _log, cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or System.Security.Cryptography.CryptographicException)
        {
            return Rejected(site, stamp.Value, e.Message); // the TLS library refused the new pair (a key type it cannot use)
        }
        _log.Info($"Renewed: serving {served.Subject} (serial {served.Certificate.SerialNumber}, valid until {served.Certificate.NotAfter.ToUniversalTime():u}) from {served.CertificateFile}, {(renewed.IsStapling ? "stapled" : $"without a staple for now ({renewed.LastRefreshError})")}.");
        return renewed;
    }

    /// <summary>Files that cannot be served are said so once, and not tried again until they change.</summary>
    private ListenerSite? Rejected(ListenerSite site, FileStamp stamp, string why)
    {
        site.Rejected = stamp;
        _log.Warning($"{site.Served.CertificateFile} changed but cannot be served ({why}); still serving the certificate valid until {site.Certificate.NotAfter.ToUniversalTime():u}. Retried when the files change again.");
        return null;
    }

    /// <summary>
    /// Stops a replaced site's refreshes now, and frees its TLS context once no handshake can still be using it
    /// (one that began before the swap finishes within the handshake timeout).
    /// </summary>
    private async Task RetireAsync(ListenerSite old)
    {
        await old.StopAsync().ConfigureAwait(false);
        _ = Task.Delay(_options.HandshakeTimeout * 2).ContinueWith(_ => old.Context.Dispose(), TaskScheduler.Default);
    }

    private async Task WatchAsync(CancellationToken cancel)
    {
        if (_options.Certificates.All(c => c.CertificateFile == null))
            return;
        while (!cancel.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.CertificatePollInterval, cancel).ConfigureAwait(false);
                await ReloadAsync(cancel).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The watch must outlive any surprise: renewals depend on it.
                _log.Warning($"Checking certificate files for renewal failed: {e.Message}");
            }
        }
    }

    public IPEndPoint Endpoint { get; private set; } = new(IPAddress.None, 0);

    /// <summary>Where Prometheus metrics are served; null when they are not.</summary>
    public IPEndPoint? MetricsEndpoint => _metrics?.Endpoint;

    /// <summary>The certificates served, the default (for clients that send no server name) first.</summary>
    public IReadOnlyList<ListenerSite> Sites => _sites;

    private ListenerSite DefaultSite => _sites[0];

    public X509Certificate2 Certificate => DefaultSite.Certificate;

    public string Subject => DefaultSite.Subject;

    /// <summary>The default certificate's staple; null when none is valid.</summary>
    public OcspResult? Staple => DefaultSite.Staple;

    public CertStatus? StapleStatus => Staple?.CertStatus;

    public DateTimeOffset? ThisUpdate => Staple?.ThisUpdate;

    public DateTimeOffset? NextUpdate => Staple?.NextUpdate;

    public long Handshakes => _counters.Completed;

    /// <summary>Handshakes completed while a valid staple was installed (sent to every client that asked).</summary>
    public long StapledHandshakes => _counters.Stapled;

    public long FailedHandshakes => _counters.FailedCount;

    /// <summary>Connections accepted and still in their handshake (what a flood of slow or abandoned clients costs).</summary>
    internal long PendingHandshakes => _counters.Pending;

    public string? LastRefreshError => DefaultSite.LastRefreshError;

    public DateTimeOffset? LastRefresh => DefaultSite.LastRefresh;

    /// <summary>Connections handed to the listener after their handshake and not yet closed.</summary>
    public long OpenConnections => Interlocked.Read(ref _connections);

    public string? ForwardTo => _options.ForwardTo is { } f ? $"{f.Host}:{f.Port}" : null;

    /// <summary>One authenticated connection, from either TLS front.</summary>
    private async Task ServeAsync(Stream tls)
    {
        Interlocked.Increment(ref _connections);
        try
        {
            if (_options.ForwardTo is { } backend)
                await ForwardAsync(tls, backend).ConfigureAwait(false);
            else
                await AnswerStatusAsync(tls, ApplicationProtocol(tls)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Clients that hang up mid-request: their problem, never the listener's.
        }
        finally
        {
            Interlocked.Decrement(ref _connections);
        }
    }

    private async Task ForwardAsync(Stream tls, DnsEndPoint backend)
    {
        using var upstream = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await upstream.ConnectAsync(backend, _stop.Token).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            _log.Warning($"Cannot reach the backend {backend.Host}:{backend.Port}: {e.Message}; closing the client's connection.");
            return;
        }
        await TcpForwarder.RelayAsync(tls, upstream, _options.IdleTimeout, _stop.Token).ConfigureAwait(false);
    }

    private static string? ApplicationProtocol(Stream tls) => tls switch
    {
        OpenSslStream openSsl => openSsl.ApplicationProtocol,
        System.Net.Security.SslStream sslStream when sslStream.NegotiatedApplicationProtocol.Protocol.Length > 0 => sslStream.NegotiatedApplicationProtocol.ToString(),
        _ => null,
    };

    private async Task AnswerStatusAsync(Stream tls, string? protocol)
    {
        // Read (and ignore) the request head, so the client sees an answer rather than a reset.
        using var readTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        readTimeout.CancelAfter(_options.HandshakeTimeout);
        if (await RequestHead.ReadAsync(tls, 8192, readTimeout.Token).ConfigureAwait(false) == null)
            return; // the client hung up without asking anything (a health check, a handshake-only client)
        var body = Encoding.UTF8.GetBytes(StatusText(protocol));
        var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        await tls.WriteAsync(head, _stop.Token).ConfigureAwait(false);
        await tls.WriteAsync(body, _stop.Token).ConfigureAwait(false);
        await TlsClose.SendCloseNotifyAsync(tls).ConfigureAwait(false);
    }

    private string StatusText(string? protocol)
    {
        var sites = _sites;
        var text = new StringBuilder($"OcspStapling listener for {Subject}{(sites.Length > 1 ? $" and {sites.Length - 1} more" : "")} on {Endpoint}\nhandshakes: {Handshakes} ({StapledHandshakes} stapled)\n");
        if (_options.Alpn.Count > 0)
            text.Append($"application protocol (ALPN): {protocol ?? "none"} (offered {string.Join(", ", _options.Alpn)})\n");
        foreach (var site in sites.Take(StatusPageSites))
        {
            var staple = site.Staple;
            var state = staple == null
                ? $"no valid staple ({site.LastRefreshError ?? "none obtained yet"})"
                : $"{staple.CertStatus?.ToString().ToLowerInvariant()}, thisUpdate {staple.ThisUpdate:u}, nextUpdate {staple.NextUpdate:u}";
            text.Append($"certificate: {site.Subject} [{string.Join(", ", site.Names)}]\n  staple: {state}\n");
        }
        if (sites.Length > StatusPageSites)
            text.Append($"... and {sites.Length - StatusPageSites} more certificates\n");
        return text.ToString();
    }

    public override string ToString() =>
        $"{Endpoint} {Subject}{(_sites.Length > 1 ? $" and {_sites.Length - 1} more" : "")}: {(StapleStatus is { } s ? $"stapling {s.ToString().ToLowerInvariant()} until {NextUpdate:u}" : "NOT stapling")}, {Handshakes} handshakes";

    /// <summary>
    /// Stops accepting at once, lets connections already served finish for up to <paramref name="drain"/>, then
    /// closes what is left and stops refreshing. Idempotent.
    /// </summary>
    public async Task StopAsync(TimeSpan drain)
    {
        ListenerOptions.DrainTimeoutRange.Check(drain);
        if (Interlocked.Exchange(ref _stopping, 1) == 1)
            return;
        // The front stops using the listening socket before it is closed (its threads hold the descriptor).
        await _front.DisposeAsync().ConfigureAwait(false);
        _tcp.Stop();
        if (drain > TimeSpan.Zero)
            _log.Info($"Stopping: no new connections; {OpenConnections} open, given up to {drain.TotalSeconds:0.#} s to finish.");
        var deadline = DateTime.UtcNow + drain;
        while (OpenConnections > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(50).ConfigureAwait(false);
        _stop.Cancel();
        if (_metrics != null)
            await _metrics.DisposeAsync().ConfigureAwait(false); // scraped until the end of the drain
        await _watch.ConfigureAwait(false);
        await _reloading.WaitAsync().ConfigureAwait(false); // a renewal in progress finishes first
        foreach (var site in _sites)
            await site.CloseAsync().ConfigureAwait(false);
        _reloading.Release(); // ReloadAsync, called late, finds the listener stopped and returns
        _fetcher.Dispose();
        _store?.Dispose();
    }

    public ValueTask DisposeAsync() => new(StopAsync(TimeSpan.Zero));
}
