using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Policy;
using OcspStapling.Engine.Tls;
using OcspStapling.Engine.Verification;

namespace OcspStapling.Cli.Json;

/// <summary>One OCSP response in get's, export's and test's JSON, with what verification found.</summary>
internal sealed record ResponseJson(
    string? Certificate,
    string Subject,
    string Thumbprint,
    string Status,
    string? CertStatus,
    DateTimeOffset? RevocationTime,
    string? RevocationReason,
    DateTimeOffset? ThisUpdate,
    DateTimeOffset? NextUpdate,
    DateTimeOffset? ProducedAt,
    string? ResponderUrl,
    string? StapleFile,
    string? Method,
    string Issuer,
    string IssuerSource,
    bool Verified,
    bool VerificationSkipped,
    bool FitToStaple,
    string State,
    string Severity,
    string? Written,
    IReadOnlyList<FindingJson> Findings)
{
    public static ResponseJson From(OcspResult result, string? writtenTo) => From(result, writtenTo, result.JudgeAt(DateTimeOffset.UtcNow));

    private static ResponseJson From(OcspResult result, string? writtenTo, Engine.Policy.StapleVerdict verdict) => new(
        result.CertificatePath,
        result.Subject,
        result.Thumbprint,
        OcspVerifier.StatusName(result.Status),
        result.CertStatus is { } status ? SiteJson.Name(status) : null,
        result.Verification.Answer?.RevocationTime,
        result.Verification.Answer?.RevocationReason is { } reason ? SiteJson.Name(reason) : null,
        result.ThisUpdate,
        result.NextUpdate,
        result.ProducedAt,
        result.Method != null ? result.Source : null,
        result.Method == null ? result.Source : null,
        result.Method is { } method ? SiteJson.Name(method) : null,
        result.Issuer.Subject,
        SiteJson.Name(result.IssuerSource),
        result.Verified,
        result.VerificationSkipped,
        result.IsFitToStaple,
        SiteJson.Name(verdict.State),
        SiteJson.Name(verdict.Severity),
        writtenTo,
        result.Findings.Select(f => new FindingJson(SiteJson.Name(f.Code), f.Message)).ToList());
}

internal sealed record FindingJson(string Code, string Message);

/// <summary>What `test --host` saw a live server send.</summary>
internal sealed record ProbeJson(string Host, int Port, string? ServerName, bool Stapled, bool Passed, bool MustStaple, IReadOnlyList<string> Chain, string? StapleProblem)
{
    public static ProbeJson From(ProbeResult probe) =>
        new(probe.Host, probe.Port, probe.ServerName, probe.Stapled, probe.Verdict.Passes(), probe.MustStaple, probe.Chain.Select(c => c.Subject).ToList(), probe.StapleProblem);
}
