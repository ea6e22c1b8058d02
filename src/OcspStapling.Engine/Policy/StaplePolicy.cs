using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Refresh;
using OcspStapling.Engine.Verification;

namespace OcspStapling.Engine.Policy;

/// <summary>
/// The one decision every front shares: from a site's facts, its state and when to fetch next. Pure (no clock, no
/// files, no network), so update, status, export, test, the listener's keeper and the cmdlets cannot disagree.
/// </summary>
public static class StaplePolicy
{
    public static StapleVerdict Judge(StapleFacts facts, RefreshPolicy? refresh = null, VerificationOptions? verification = null)
    {
        refresh ??= RefreshPolicy.Default;
        verification ??= VerificationOptions.Default;
        var now = facts.Now;
        if (now < facts.CertificateNotBefore)
            return new StapleVerdict(SiteState.CertificateNotYetValid, Severity.Problem, null, null);
        if (now >= facts.CertificateNotAfter)
            return new StapleVerdict(SiteState.CertificateExpired, Severity.Problem, null, null);
        if (!facts.HasResponder)
            return new StapleVerdict(SiteState.NoOcsp, facts.MustStaple || facts.RequireOcsp ? Severity.Problem : Severity.Ok, null, null);

        var answer = facts.Answer;
        var valid = answer != null && StapleValidity.IsValidAt(answer, verification, now);
        var validUntil = valid ? StapleValidity.ExpiresAt(answer!, verification) : (DateTimeOffset?)null;
        var fetchAt = NextFetch(facts, valid, refresh);
        if (answer?.CertStatus == CertStatus.Revoked)
            return new StapleVerdict(SiteState.Revoked, Severity.Problem, fetchAt, validUntil);
        if (!valid)
            return new StapleVerdict(SiteState.NoValidStaple, Severity.Problem, fetchAt, null);
        if (validUntil < now + facts.RunInterval)
            return new StapleVerdict(SiteState.Lapsing, Severity.Problem, fetchAt, validUntil);
        if (facts.FailureCount > 0)
            return new StapleVerdict(SiteState.RefreshFailed, Severity.Warning, fetchAt, validUntil);
        if (facts.DeliveryPending)
            return new StapleVerdict(SiteState.Undelivered, Severity.Warning, fetchAt, validUntil);
        return new StapleVerdict(SiteState.Stapled, Severity.Ok, fetchAt, validUntil);
    }

    /// <summary>
    /// The verdict on a staple a server sent or a file holds: <paramref name="fitToStaple"/> is a good answer about
    /// the certificate, verified unless verification was skipped on request (then the answer is reported, and judged
    /// the same for files and hosts). A certificate without a responder that does not demand a staple passes unstapled,
    /// as update and status judge it.
    /// </summary>
    public static StapleCheck CheckStaple(bool stapled, bool fitToStaple, bool certificateHasResponder, bool mustStaple) =>
        stapled ? (fitToStaple ? StapleCheck.Good : StapleCheck.NotGood)
        : certificateHasResponder || mustStaple ? StapleCheck.NotStapled
        : StapleCheck.NoOcsp;

    // A backoff after failures stands (a renewed certificate has a new store entry, so it never inherits one); without
    // a valid staple the answer is wanted now; otherwise the refresh schedule of the staple in hand decides.
    private static DateTimeOffset NextFetch(StapleFacts facts, bool valid, RefreshPolicy refresh)
    {
        if (facts.FailureCount > 0 && facts.RetryAt is { } retry)
            return retry;
        if (!valid || facts.Answer is not { } answer)
            return facts.Now;
        return refresh.NextDueSpread(facts.FetchedAt ?? answer.ThisUpdate, answer.ThisUpdate, answer.NextUpdate, facts.SpreadKey);
    }
}
