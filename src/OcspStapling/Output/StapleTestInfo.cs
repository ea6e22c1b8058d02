using OcspStapling.Engine.Operations;

namespace OcspStapling;

/// <summary>What Test-OcspStaple writes for a response or a staple file: would a strict client accept it?</summary>
public sealed class StapleTestInfo
{
    private readonly StapleTestResult _verdict;

    internal StapleTestInfo(OcspResult result)
    {
        _verdict = new StapleTestResult(result);
        Response = new OcspResponseInfo(result);
    }

    public string Subject => _verdict.Subject;

    public string Thumbprint => Response.Thumbprint;

    /// <summary>The responder URL or staple file tested.</summary>
    public string Source => _verdict.Source;

    /// <summary>Verified and good: fit to staple.</summary>
    public bool Passed => _verdict.Passed;

    public string? CertStatus => _verdict.CertStatus?.ToString();

    public DateTime? NextUpdate => _verdict.NextUpdate?.UtcDateTime;

    public string[] Findings => Response.Findings;

    public string? FirstFinding => _verdict.FirstFinding;

    /// <summary>The response judged, as Get-OcspResponse writes it.</summary>
    public OcspResponseInfo Response { get; }

    public override string ToString() => _verdict.ToString();
}
