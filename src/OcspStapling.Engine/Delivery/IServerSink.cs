namespace OcspStapling.Engine.Delivery;

/// <summary>
/// A server told about staples at the end of a run (HAProxy's runtime API, a reload command). Each knows, on this
/// host, what it last delivered, so it delivers what differs whoever fetched it, and a failure is pending for it
/// alone. A new kind of server is one class and one line in <see cref="ServerSinks"/>.
/// </summary>
internal interface IServerSink
{
    /// <summary>Whether this site has something for this sink to deliver (its summary then waits for the end of the run).</summary>
    bool Wants(SiteDelivery site);

    /// <summary>Delivers what the sites want and records it; returns, by index into <paramref name="sites"/>, what failed.</summary>
    Task<IReadOnlyDictionary<int, string>> DeliverAsync(IReadOnlyList<SiteDelivery> sites, CancellationToken cancel);
}
