using System.Collections.Concurrent;

namespace OcspStapling.Engine.Delivery;

/// <summary>
/// A sink's record, on this host, of the staple (its SHA-256) each site last had delivered, by site name: stable across
/// renewals, so the record does not grow with them. A site whose staple differs from its record is due a delivery.
/// </summary>
internal sealed class DeliveredDigests
{
    private readonly DeliveryState _state;
    private readonly ConcurrentDictionary<string, string> _digests;

    public DeliveredDigests(DeliveryState state)
    {
        _state = state;
        _digests = new ConcurrentDictionary<string, string>(state.Load(() => new Dictionary<string, string>()), StringComparer.Ordinal);
    }

    public bool Differs(SiteDelivery site) =>
        site.Servable is { } staple && (!_digests.TryGetValue(site.Site, out var last) || last != DeliveryState.Digest(staple));

    public void Delivered(SiteDelivery site)
    {
        if (site.Servable is { } staple)
            _digests[site.Site] = DeliveryState.Digest(staple);
    }

    /// <summary>Null when saved; otherwise why not (the next run then delivers again).</summary>
    public string? Save() => _state.Save(new SortedDictionary<string, string>(_digests, StringComparer.Ordinal));
}
