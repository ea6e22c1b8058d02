namespace OcspStapling.Engine.Policy;

/// <summary>What <see cref="StaplePolicy"/> decided for one site.</summary>
/// <param name="FetchAt">When to ask the responder next; null when there is nothing to ask (no OCSP, certificate not valid).</param>
/// <param name="ValidUntil">When the staple in hand stops being valid; null without one.</param>
public sealed record StapleVerdict(SiteState State, Severity Severity, DateTimeOffset? FetchAt, DateTimeOffset? ValidUntil)
{
    public bool IsDue(DateTimeOffset now) => FetchAt is { } at && at <= now;

    /// <summary>The staple in hand may be served (valid now, not revoked).</summary>
    public bool HasValidStaple => State is SiteState.Stapled or SiteState.RefreshFailed or SiteState.Undelivered or SiteState.Lapsing;
}
