using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Refresh;
using OcspStapling.Engine.Sites;
using OcspStapling.Engine.Store;

namespace OcspStapling.Engine.Tls;

/// <summary>
/// The listener's staples by way of the store `update` keeps: a certificate is fetched only when its entry is due,
/// under the same per-entry lock, and what another process fetched is served as it is; so a host running both asks
/// its CA once. What is served is checked against the certificate like any staple file.
/// </summary>
internal sealed class StoreStapleSource : IDisposable
{
    private readonly StapleStore _store;
    private readonly StapleRefresher _refresher;
    private readonly FetchOptions _fetch;

    public StoreStapleSource(ListenerOptions options, IOperationLog log)
    {
        _store = new StapleStore(options.Store!);
        _fetch = options.Fetch;
        _refresher = new StapleRefresher(new RefreshOptions { Store = _store, Fetch = options.Fetch, Transport = options.Transport, Policy = options.Refresh }, log);
    }

    public string Directory => _store.Directory;

    public async Task<OcspResult> ObtainAsync(CertificateBundle certificate, CancellationToken cancel)
    {
        var site = Site.ForCertificate(certificate);
        var summary = await _refresher.RefreshSiteAsync(site, cancel).ConfigureAwait(false);
        if (_store.Read(site.Thumbprint)?.Staple == null)
            throw new StaplingException(FailureReason.ResponderUnreachable, site.Name, $"No staple for {site.Leaf.Subject} in the store '{_store.Directory}': {summary.Reason ?? "none fetched yet"}.");
        return await StapleFileCheck.CheckAsync(_store.StaplePath(site.Thumbprint), certificate, _fetch, cancel).ConfigureAwait(false);
    }

    public void Dispose() => _refresher.Dispose();
}
