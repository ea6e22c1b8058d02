using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Tls;

namespace OcspStapling;

/// <summary>One certificate a listener serves, and its staple, read live.</summary>
public sealed class ListenerSiteInfo
{
    private readonly ListenerSite _site;

    internal ListenerSiteInfo(ListenerSite site) => _site = site;

    public string Subject => _site.Subject;

    public string Thumbprint => CertificateSummary.ThumbprintOf(_site.Certificate);

    /// <summary>The DNS names clients may ask for (SNI).</summary>
    public string[] Names => _site.Names.ToArray();

    /// <summary>Good, Revoked, Unknown, or empty while no valid staple is served.</summary>
    public string? StapleStatus => _site.StapleStatus?.ToString();

    public bool IsStapling => _site.IsStapling;

    public DateTime? NextUpdate => _site.Staple?.NextUpdate?.UtcDateTime;

    public string? LastRefreshError => _site.LastRefreshError;

    public DateTime? LastRefresh => _site.LastRefresh?.UtcDateTime;

    public override string ToString() => _site.ToString();
}
