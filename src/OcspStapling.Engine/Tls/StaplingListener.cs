using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Tls.OpenSsl;

namespace OcspStapling.Engine.Tls;

/// <summary>
/// A TLS server that staples from its first connection on: the staple is loaded and verified before it accepts,
/// refreshed in the background, swapped live, and withdrawn at expiry. Handshakes are done by OpenSSL 3 directly
/// on Linux (nginx's event-loop model) or by SslStream elsewhere; the listener forwards decrypted traffic to a
/// backend (stunnel-like) or answers each connection with a short status page.
/// </summary>
public sealed class StaplingListener : IAsyncDisposable
{
    private readonly ListenerOptions _options;
    private readonly TcpListener _tcp;
    private readonly ITlsFront _front;
    private readonly StapleKeeper _keeper;
    private readonly HandshakeCounters _counters;
    private readonly CancellationTokenSource _stop = new();
    private readonly IOperationLog _log;

    private StaplingListener(ListenerOptions options, IOperationLog log)
    {
        _options = options;
        _log = log;
        _counters = new HandshakeCounters(() => CanStaple && _keeper!.IsStapling);
        _front = TlsFronts.Create(options, _counters, log);
        _keeper = new StapleKeeper(options, _front.Staple, log);
        _tcp = new TcpListener(options.Address, options.Port);
    }

    /// <summary>True when handshakes can carry the staple on this runtime.</summary>
    public bool CanStaple => _front.CanStaple;

    /// <summary>What completes the TLS handshakes: OpenSSL 3 directly, or SslStream.</summary>
    public string TlsImplementation => _front.Description;

    /// <summary>Loads the first staple, then starts accepting. Returns once connections are accepted.</summary>
    public static async Task<StaplingListener> StartAsync(ListenerOptions options, IOperationLog? log = null, CancellationToken cancel = default)
    {
        if (!options.Certificate.HasPrivateKey)
            throw new StaplingException(FailureReason.InvalidArgument, options.Certificate.Subject, $"The certificate '{options.Certificate.Subject}' has no private key; give the key file or a PFX.");
        var listener = new StaplingListener(options, log ?? SilentLog.Instance);
        listener._log.Verbose($"TLS handshakes by {listener.TlsImplementation}.");
        await listener._keeper.StartAsync(cancel).ConfigureAwait(false);
        if (Certificates.CertificateFacts.IsMustStaple(options.Certificate) && !listener._keeper.IsStapling)
            listener._log.Warning($"'{options.Certificate.Subject}' is MUST-STAPLE and there is no valid staple: clients will refuse every connection until one is obtained. {listener._keeper.LastError}");
        try
        {
            listener._tcp.Start(backlog: 1024);
        }
        catch (SocketException e)
        {
            await listener._keeper.DisposeAsync().ConfigureAwait(false);
            await listener._front.DisposeAsync().ConfigureAwait(false);
            throw new StaplingException(FailureReason.InvalidArgument, $"{options.Address}:{options.Port}", $"Cannot listen on {options.Address}:{options.Port}: {e.Message}.", e);
        }
        // Kept: once stopped, TcpListener reports the requested endpoint (port 0), not the one it had.
        listener.Endpoint = (IPEndPoint)listener._tcp.LocalEndpoint;
        try
        {
            listener._front.Start(listener._tcp, listener.ServeAsync);
        }
        catch (InvalidOperationException e)
        {
            await listener.DisposeAsync().ConfigureAwait(false);
            throw new StaplingException(FailureReason.InvalidArgument, $"{options.Address}:{options.Port}", e.Message, e);
        }
        catch
        {
            await listener.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return listener;
    }

    public IPEndPoint Endpoint { get; private set; } = new(IPAddress.None, 0);

    public X509Certificate2 Certificate => _options.Certificate;

    public string Subject => _options.Certificate.Subject;

    /// <summary>The staple being served; null when none is valid.</summary>
    public OcspResult? Staple => _keeper.Current;

    public CertStatus? StapleStatus => _keeper.Current?.CertStatus;

    public DateTimeOffset? ThisUpdate => _keeper.Current?.ThisUpdate;

    public DateTimeOffset? NextUpdate => _keeper.Current?.NextUpdate;

    public long Handshakes => _counters.Completed;

    /// <summary>Handshakes completed while a valid staple was installed (sent to every client that asked).</summary>
    public long StapledHandshakes => _counters.Stapled;

    public long FailedHandshakes => _counters.FailedCount;

    /// <summary>Connections accepted and still in their handshake (what a flood of slow or abandoned clients costs).</summary>
    internal long PendingHandshakes => _counters.Pending;

    public string? LastRefreshError => _keeper.LastError;

    public DateTimeOffset? LastRefresh => _keeper.LastRefresh;

    public string? ForwardTo => _options.ForwardTo is { } f ? $"{f.Host}:{f.Port}" : null;

    /// <summary>One authenticated connection, from either TLS front.</summary>
    private async Task ServeAsync(Stream tls)
    {
        try
        {
            if (_options.ForwardTo is { } backend)
                await ForwardAsync(tls, backend).ConfigureAwait(false);
            else
                await AnswerStatusAsync(tls).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Clients that hang up mid-request: their problem, never the listener's.
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

    private async Task AnswerStatusAsync(Stream tls)
    {
        // Read (and ignore) the request head, so the client sees an answer rather than a reset.
        var buffer = new byte[8192];
        var seen = 0;
        using var readTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        readTimeout.CancelAfter(_options.HandshakeTimeout);
        while (seen < buffer.Length)
        {
            var read = await tls.ReadAsync(buffer.AsMemory(seen), readTimeout.Token).ConfigureAwait(false);
            if (read == 0)
                return; // the client hung up without asking anything (a health check, a handshake-only client)
            seen += read;
            if (buffer.AsSpan(0, seen).IndexOf("\r\n\r\n"u8) >= 0)
                break;
        }
        var body = Encoding.UTF8.GetBytes(StatusText());
        var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        await tls.WriteAsync(head, _stop.Token).ConfigureAwait(false);
        await tls.WriteAsync(body, _stop.Token).ConfigureAwait(false);
        await TlsClose.SendCloseNotifyAsync(tls).ConfigureAwait(false);
    }

    private string StatusText()
    {
        var staple = _keeper.Current;
        var state = staple == null
            ? $"no valid staple ({_keeper.LastError ?? "none obtained yet"})"
            : $"{staple.CertStatus?.ToString().ToLowerInvariant()}, thisUpdate {staple.ThisUpdate:u}, nextUpdate {staple.NextUpdate:u}";
        return $"OcspStapling listener for {Subject}\nstaple: {state}\nhandshakes: {Handshakes} ({StapledHandshakes} stapled)\n";
    }

    public override string ToString() =>
        $"{Endpoint} {Subject}: {(StapleStatus is { } s ? $"stapling {s.ToString().ToLowerInvariant()} until {NextUpdate:u}" : "NOT stapling")}, {Handshakes} handshakes";

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
            return;
        _stop.Cancel();
        // The front stops using the listening socket before it is closed (its threads hold the descriptor).
        await _front.DisposeAsync().ConfigureAwait(false);
        _tcp.Stop();
        await _keeper.DisposeAsync().ConfigureAwait(false);
    }
}
