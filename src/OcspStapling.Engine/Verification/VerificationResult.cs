using OcspStapling.Engine.Protocol;

namespace OcspStapling.Engine.Verification;

/// <summary>The verdict on one response for one certificate: every rule it broke, and the answer it gives.</summary>
public sealed class VerificationResult
{
    public VerificationResult(IReadOnlyList<Finding> findings, SingleResponse? answer)
    {
        Findings = findings;
        Answer = answer;
    }

    public IReadOnlyList<Finding> Findings { get; }

    /// <summary>The SingleResponse about the certificate, when there is one.</summary>
    public SingleResponse? Answer { get; }

    /// <summary>Authentic and current: signed by an authorised responder, about this certificate, in its validity window.</summary>
    public bool IsTrustworthy => Answer != null && Findings.All(f => f.IsAboutCertificate);

    /// <summary>Trustworthy and "good": fit to staple.</summary>
    public bool IsGood => IsTrustworthy && Answer!.CertStatus == Protocol.CertStatus.Good;

    public CertStatus? CertStatus => Answer?.CertStatus;

    public override string ToString() =>
        IsGood ? "good, verified" : string.Join("; ", Findings.Select(f => f.Message));
}
