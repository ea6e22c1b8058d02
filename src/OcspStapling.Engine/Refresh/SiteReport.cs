using OcspStapling.Engine.Policy;
using OcspStapling.Engine.Sites;
using OcspStapling.Engine.Store;

namespace OcspStapling.Engine.Refresh;

/// <summary>A site's state as a summary, shared by a refresh run and the read-only status view.</summary>
public static class SiteReport
{
    public const string RevokedReason = "the certificate is REVOKED";

    public static RefreshSummary Of(Site site, StoreEntry? entry, StapleVerdict verdict) => RefreshSummary.ForSite(site, verdict.State, verdict.Severity) with
    {
        Outcome = RefreshOutcome.StillFresh,
        // Revoked outweighs any later failure to ask again: the reason is the revocation, not the outage after it.
        Reason = verdict.State == SiteState.Revoked ? RevokedReason : entry?.Metadata?.LastError,
        CertStatus = entry?.Answer?.CertStatus,
        ThisUpdate = entry?.Answer?.ThisUpdate,
        NextUpdate = entry?.Answer?.NextUpdate,
        NextRefresh = verdict.FetchAt,
        HasValidStaple = verdict.HasValidStaple,
    };
}
