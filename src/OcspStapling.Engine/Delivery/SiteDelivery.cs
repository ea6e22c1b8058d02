namespace OcspStapling.Engine.Delivery;

/// <summary>
/// A site as a run leaves it, for the sinks that deliver at its end: the staple its servers should have (null when
/// none may be served) and whether this run changed the site's files on this host.
/// </summary>
internal sealed record SiteDelivery(string Site, string Thumbprint, byte[]? Servable, bool FilesChanged);
