using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Verification;

namespace OcspStapling.Engine.Tls;

/// <summary>
/// Keeps the listener's staple valid: loads it (file or fetch) before the first connection, refreshes it when due,
/// keeps the last valid one while its source fails, swaps a better one in live, and stops stapling at expiry.
/// </summary>
internal sealed class StapleKeeper : IAsyncDisposable
{
    private readonly ListenerOptions _options;
    private readonly Action<byte[]?, DateTimeOffset> _staple;
    private readonly CertificateBundle _bundle;
    private readonly IOperationLog _log;
    private readonly StapleFetcher _fetcher;
    private readonly StoreStapleSource? _store;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private (long Length, DateTime Written)? _fileSeen;
    private int _failures;
    private DateTimeOffset _nextRefresh;
    private DateTimeOffset _expiry;

    /// <param name="fetcher">Shared by the listener's keepers, so one responder host is paced as one.</param>
    /// <param name="store">The shared store to go through, when the listener has one.</param>
    public StapleKeeper(ServedCertificate served, ListenerOptions options, StapleFetcher fetcher, StoreStapleSource? store, Action<byte[]?, DateTimeOffset> staple, IOperationLog log)
    {
        _options = options;
        _store = store;
        _staple = staple;
        _log = log;
        _bundle = new CertificateBundle(served.Certificate, served.Intermediates.ToList(), null);
        _fetcher = fetcher;
    }

    public Refresh.RefreshPolicy Refresh => _options.Refresh;

    public VerificationOptions Verification => _options.Fetch.Verification;

    /// <summary>The staple being served, or null when none is valid.</summary>
    public OcspResult? Current { get; private set; }

    public string? LastError { get; private set; }

    public DateTimeOffset? LastRefresh { get; private set; }

    /// <summary>True while a valid staple is installed: handshakes now carry it (when the client asks).</summary>
    public bool IsStapling => Current != null && DateTimeOffset.UtcNow < _expiry;

    /// <summary>True for a certificate that names no OCSP responder (and none was given): it is served without a staple.</summary>
    public bool HasNoResponder => _options.StapleFile == null && _options.Fetch.Responder == null && CertificateFacts.OcspUrls(_bundle.Leaf).Count == 0;

    /// <summary>Loads the first staple, then keeps it fresh in the background.</summary>
    public async Task StartAsync(CancellationToken cancel)
    {
        if (HasNoResponder)
        {
            // The normal case for many certificates now (Let's Encrypt dropped OCSP in 2025): nothing to fetch, ever.
            LastError = "the certificate names no OCSP responder";
            _log.Info($"{_bundle.Leaf.Subject} names no OCSP responder: served without a staple.");
            return;
        }
        await RefreshAsync(cancel).ConfigureAwait(false);
        _loop = Task.Run(() => LoopAsync(_stop.Token));
    }

    private async Task LoopAsync(CancellationToken cancel)
    {
        while (!cancel.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(NextWake(), cancel).ConfigureAwait(false);
                ExpireIfDue();
                if (_options.StapleFile != null ? FileChanged() : DateTimeOffset.UtcNow >= _nextRefresh)
                    await RefreshAsync(cancel).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Whatever went wrong, the loop must outlive it: it alone withdraws an expiring staple.
                LastError = e.Message;
                _log.Warning($"Keeping the staple for {_bundle.Leaf.Subject} fresh failed unexpectedly: {e.Message}");
            }
        }
    }

    private TimeSpan NextWake()
    {
        var now = DateTimeOffset.UtcNow;
        var wake = _options.StapleFile != null ? now + _options.FilePollInterval : _nextRefresh;
        if (Current != null && _expiry > now && _expiry < wake)
            wake = _expiry;
        var delay = wake - now;
        return delay < TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10) : delay > TimeSpan.FromMinutes(10) ? TimeSpan.FromMinutes(10) : delay;
    }

    private void ExpireIfDue()
    {
        if (Current != null && _expiry <= DateTimeOffset.UtcNow)
        {
            _staple(null, default);
            _log.Warning($"The staple for {_bundle.Leaf.Subject} expired at {_expiry:u} and is no longer served; {LastError ?? "no fresh one was obtained"}.");
            Current = null;
        }
    }

    private bool FileChanged()
    {
        var info = new FileInfo(_options.StapleFile!);
        var seen = info.Exists ? (info.Length, info.LastWriteTimeUtc) : (-1L, DateTime.MinValue);
        return _fileSeen != seen;
    }

    private async Task RefreshAsync(CancellationToken cancel)
    {
        try
        {
            var result = await ObtainAsync(cancel).ConfigureAwait(false);
            LastRefresh = DateTimeOffset.UtcNow;
            // A verified "revoked" replaces a good staple: hiding a revocation from clients would be worse than failing them.
            var revoked = result.Verified && result.CertStatus == Protocol.CertStatus.Revoked;
            if (!result.IsFitToStaple && !revoked)
                throw new StaplingException(FailureReason.InvalidArgument, result.Source, $"The staple from {result.Source} is not fit to staple: {result.Verification}.");
            if (revoked)
                _log.Warning($"REVOKED: the responder says {_bundle.Leaf.Subject} is revoked; stapling that answer. Replace the certificate.");
            Install(result);
            _failures = 0;
            LastError = null;
            _nextRefresh = NextRefreshAfter(result);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancel.IsCancellationRequested)
        {
            // Any failure (an unreadable file, a malformed answer) leaves the listener serving what it has.
            _failures++;
            LastError = e.Message;
            _nextRefresh = DateTimeOffset.UtcNow + _options.Refresh.RetryDelay(_failures, stapling: IsStapling);
            _log.Warning(Current != null
                ? $"{e.Message} Still serving the staple valid until {Current.NextUpdate:u}."
                : $"{e.Message} No valid staple to serve.");
        }
    }

    // The policy update uses decides when the staple just installed is due again; a verdict that wants it at once
    // (no servable answer, as with a revocation that will not change) waits one retry delay rather than spinning.
    private DateTimeOffset NextRefreshAfter(OcspResult result)
    {
        var now = DateTimeOffset.UtcNow;
        var due = result.JudgeAt(now, _options.Refresh, _options.Fetch.Verification).FetchAt ?? now;
        return due > now ? due : now + _options.Refresh.RetryDelay(1, stapling: IsStapling);
    }

    private async Task<OcspResult> ObtainAsync(CancellationToken cancel)
    {
        if (_options.StapleFile is not { } file)
        {
            return _store != null
                ? await _store.ObtainAsync(_bundle, cancel).ConfigureAwait(false)
                : await _fetcher.FetchAsync(_bundle, _options.Fetch, _log, cancel).ConfigureAwait(false);
        }
        var info = new FileInfo(file);
        _fileSeen = info.Exists ? (info.Length, info.LastWriteTimeUtc) : (-1L, DateTime.MinValue);
        return await StapleFileCheck.CheckAsync(file, _bundle, _options.Fetch, cancel).ConfigureAwait(false);
    }

    private void Install(OcspResult result)
    {
        _expiry = StapleValidity.ExpiresAt(result.Verification.Answer!, _options.Fetch.Verification);
        _staple(result.Response.RawData, _expiry);
        var replaced = Current != null;
        Current = result;
        _log.Verbose($"{(replaced ? "Swapped in" : "Stapling")} the response from {result.Source}: {result.CertStatus}, valid until {result.NextUpdate:u}.");
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
