using OcspStapling.Engine.Policy;
using OcspStapling.Engine.Protocol;

namespace OcspStapling.Tests.Sites;

/// <summary>The one decision: each documented state, its severity, and when the responder is asked next.</summary>
public sealed class StaplePolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static StapleFacts Facts(CertStatus? status = CertStatus.Good, double validHours = 48, double ageHours = 1) => new()
    {
        Now = Now,
        CertificateNotBefore = Now.AddDays(-10),
        CertificateNotAfter = Now.AddDays(80),
        HasResponder = true,
        Answer = status is { } s ? new SingleResponse(null!, s, Now.AddHours(-ageHours), Now.AddHours(-ageHours + validHours), null, null) : null,
        FetchedAt = Now.AddHours(-ageHours),
    };

    public static TheoryData<string, StapleFacts, SiteState, Severity> States => new()
    {
        { "valid for two days, fetched an hour ago", Facts(), SiteState.Stapled, Severity.Ok },
        { "the last fetch failed, staple valid", Facts() with { FailureCount = 2, RetryAt = Now.AddMinutes(3) }, SiteState.RefreshFailed, Severity.Warning },
        { "changed staple not pushed yet", Facts() with { DeliveryPending = true }, SiteState.Undelivered, Severity.Warning },
        { "valid 30 more minutes, run every hour", Facts(validHours: 1.5, ageHours: 1), SiteState.Lapsing, Severity.Problem },
        { "expired a minute ago", Facts(validHours: 47.98, ageHours: 48), SiteState.NoValidStaple, Severity.Problem },
        { "nothing stored yet", Facts(status: null), SiteState.NoValidStaple, Severity.Problem },
        { "revoked", Facts(CertStatus.Revoked), SiteState.Revoked, Severity.Problem },
        { "certificate names no responder", Facts() with { HasResponder = false }, SiteState.NoOcsp, Severity.Ok },
        { "no responder, --require-ocsp", Facts() with { HasResponder = false, RequireOcsp = true }, SiteState.NoOcsp, Severity.Problem },
        { "no responder, must-staple", Facts() with { HasResponder = false, MustStaple = true }, SiteState.NoOcsp, Severity.Problem },
        { "certificate expired yesterday", Facts() with { CertificateNotAfter = Now.AddDays(-1) }, SiteState.CertificateExpired, Severity.Problem },
        { "certificate valid from tomorrow", Facts() with { CertificateNotBefore = Now.AddDays(1) }, SiteState.CertificateNotYetValid, Severity.Problem },
    };

    [Theory]
    [MemberData(nameof(States))]
    public void Each_state_is_decided_with_its_severity(string situation, StapleFacts facts, SiteState state, Severity severity)
    {
        var verdict = StaplePolicy.Judge(facts);

        Assert.True(verdict.State == state && verdict.Severity == severity, $"{situation}: {verdict}");
    }

    [Fact]
    public void Nothing_is_asked_for_a_certificate_without_responder_or_outside_its_validity()
    {
        Assert.Null(StaplePolicy.Judge(Facts() with { HasResponder = false }).FetchAt);
        Assert.Null(StaplePolicy.Judge(Facts() with { CertificateNotAfter = Now.AddSeconds(-1) }).FetchAt);
        Assert.Null(StaplePolicy.Judge(Facts() with { CertificateNotBefore = Now.AddSeconds(1) }).FetchAt);
    }

    [Fact]
    public void A_site_without_a_staple_is_due_now_unless_a_backoff_stands()
    {
        Assert.Equal(Now, StaplePolicy.Judge(Facts(status: null)).FetchAt);
        Assert.Equal(Now.AddMinutes(8), StaplePolicy.Judge(Facts(status: null) with { FailureCount = 4, RetryAt = Now.AddMinutes(8) }).FetchAt);
    }

    [Fact]
    public void A_good_staple_is_next_fetched_at_half_its_window()
    {
        var verdict = StaplePolicy.Judge(Facts(validHours: 48, ageHours: 1));

        Assert.Equal(Now.AddHours(23), verdict.FetchAt);
        Assert.Equal(Now.AddHours(47), verdict.ValidUntil);
        Assert.False(verdict.IsDue(Now));
    }

    [Fact]
    public void A_revoked_certificate_stays_revoked_on_every_run_whether_or_not_it_is_fetched()
    {
        var justFetched = StaplePolicy.Judge(Facts(CertStatus.Revoked, ageHours: 0));
        var laterNotDue = StaplePolicy.Judge(Facts(CertStatus.Revoked, ageHours: 5));

        Assert.Equal(SiteState.Revoked, justFetched.State);
        Assert.Equal(SiteState.Revoked, laterNotDue.State);
        Assert.False(laterNotDue.IsDue(Now));
    }
}
