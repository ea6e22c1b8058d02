using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Refresh;
using OcspStapling.Engine.Sites;
using OcspStapling.Engine.Store;

namespace OcspStapling.Engine.Tls;

/// <summary>
/// The listener's staples by way of the store `update` keeps (a directory, or Redis for a fleet): a certificate is
/// fetched only when its entry is due, under the same per-entry lock, and what another process fetched is served as
/// it is; so a host (or fleet) running both asks its CA once. What is served is checked against the certificate like
/// any staple file. While the store is unavailable (Redis down), staples are fetched directly: clients keep getting
/// them, at the cost of asking the CA from every host until the store is back.
/// </summary>
internal sealed class StoreStapleSource : IDisposable
{
    private readonly IStapleStore _store;
    private readonly StapleRefresher _refresher;
    private readonly FetchOptions _fetch;
    private readonly StapleFetcher _direct;
    private readonly IOperationLog _log;

    /// <param name="direct">The listener's own fetcher, for when the store cannot be reached.</param>
    public StoreStapleSource(IStapleStore store, ListenerOptions options, StapleFetcher direct, IOperationLog log)
    {
        _store = store;
        _fetch = options.Fetch;
        _direct = direct;
        _log = log;
        _refresher = new StapleRefresher(new RefreshOptions { Store = store, Fetch = options.Fetch, Transport = options.Transport, Policy = options.Refresh }, log);
    }

    public string Location => _store.Location;

    public async Task<OcspResult> ObtainAsync(CertificateBundle certificate, CancellationToken cancel)
    {
        var site = Site.ForCertificate(certificate);
        var summary = await _refresher.RefreshSiteAsync(site, cancel).ConfigureAwait(false);
        StoreEntry? entry;
        try
        {
            entry = _store.Read(site.Thumbprint);
        }
        catch (StaplingException e) when (e.Reason == FailureReason.StoreUnavailable)
        {
            _log.Warning($"{e.Message} Fetching the staple for {site.Leaf.Subject} directly meanwhile.");
            return await _direct.FetchAsync(certificate, _fetch, _log, cancel).ConfigureAwait(false);
        }
        if (entry is not { Response: { } response })
            throw new StaplingException(FailureReason.ResponderUnreachable, site.Name, $"No staple for {site.Leaf.Subject} in the store {_store.Location}: {summary.Reason ?? "none fetched yet"}.");
        return await StapleFileCheck.JudgeAsync(response, $"the store {_store.Location}", certificate, _fetch, cancel).ConfigureAwait(false);
    }

    /// <summary>The store is the listener's own (opened from its location), so it goes with it.</summary>
    public void Dispose()
    {
        _refresher.Dispose();
        _store.Dispose();
    }
}
