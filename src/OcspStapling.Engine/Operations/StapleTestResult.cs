using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Verification;

namespace OcspStapling.Engine.Operations;

/// <summary>Test-OcspStaple's verdict: would a strict client accept this staple for this certificate?</summary>
public sealed class StapleTestResult
{
    public StapleTestResult(OcspResult result) => Result = result;

    public OcspResult Result { get; }

    public string Subject => Result.Subject;

    /// <summary>The responder URL or staple file tested.</summary>
    public string Source => Result.Source;

    /// <summary>Fit to staple: good, and verified unless verification was skipped on request (report, do not act), as the CLI's test judges.</summary>
    public bool Passed => Result.IsFitToStaple;

    public CertStatus? CertStatus => Result.CertStatus;

    public DateTimeOffset? NextUpdate => Result.NextUpdate;

    public IReadOnlyList<Finding> Findings => Result.Findings;

    public int FindingCount => Result.Findings.Count;

    public string? FirstFinding => Result.Findings.FirstOrDefault()?.Message;

    public override string ToString() => Passed ? $"{Subject}: passed" : $"{Subject}: FAILED ({FindingCount} findings: {FirstFinding})";
}
