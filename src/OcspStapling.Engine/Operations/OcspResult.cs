using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Transport;
using OcspStapling.Engine.Verification;

namespace OcspStapling.Engine.Operations;

/// <summary>An OCSP response for one certificate, where it came from, and the verdict on it.</summary>
public sealed class OcspResult
{
    public OcspResult(CertificateBundle certificate, LocatedIssuer issuer, string source, RequestMethod? method,
        OcspResponse response, VerificationResult verification, bool verificationSkipped)
    {
        Bundle = certificate;
        LocatedIssuer = issuer;
        Source = source;
        Method = method;
        Response = response;
        Verification = verification;
        VerificationSkipped = verificationSkipped;
        ObtainedAt = DateTimeOffset.UtcNow;
    }

    internal CertificateBundle Bundle { get; }

    internal LocatedIssuer LocatedIssuer { get; }

    public X509Certificate2 Certificate => Bundle.Leaf;

    public string Subject => Bundle.Leaf.Subject;

    /// <summary>SHA-256 thumbprint, the key the store uses.</summary>
    public string Thumbprint => Bundle.Leaf.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256).ToLowerInvariant();

    public string? CertificatePath => Bundle.SourcePath;

    public X509Certificate2 Issuer => LocatedIssuer.Certificate;

    public IssuerSource IssuerSource => LocatedIssuer.Source;

    /// <summary>The responder URL asked, or the staple file read.</summary>
    public string Source { get; }

    /// <summary>GET or POST when fetched; null when read from a file.</summary>
    public RequestMethod? Method { get; }

    public OcspResponse Response { get; }

    public VerificationResult Verification { get; }

    public bool VerificationSkipped { get; }

    public OcspResponseStatus Status => Response.Status;

    public CertStatus? CertStatus => Verification.CertStatus;

    public DateTimeOffset? ThisUpdate => Verification.Answer?.ThisUpdate;

    public DateTimeOffset? NextUpdate => Verification.Answer?.NextUpdate;

    public DateTimeOffset? ProducedAt => Response.ProducedAt;

    public TimeSpan? TimeLeft => NextUpdate - DateTimeOffset.UtcNow;

    /// <summary>When the response was fetched or read.</summary>
    public DateTimeOffset ObtainedAt { get; }

    /// <summary>The state a site serving this response is in now (the one policy update and status use).</summary>
    public Policy.SiteState State => JudgeAt(DateTimeOffset.UtcNow).State;

    /// <summary><see cref="Policy.StaplePolicy"/>'s verdict on this response at <paramref name="now"/>.</summary>
    public Policy.StapleVerdict JudgeAt(DateTimeOffset now, Refresh.RefreshPolicy? refresh = null, VerificationOptions? verification = null) =>
        Policy.StaplePolicy.Judge(Policy.StapleFacts.OfResult(this, ObtainedAt, now), refresh, verification);

    /// <summary>Signed by an authorised responder, about this certificate, and current.</summary>
    public bool Verified => Verification.IsTrustworthy;

    public IReadOnlyList<Finding> Findings => Verification.Findings;

    /// <summary>Good, and verified unless verification was explicitly skipped: what may be stapled without -Force.</summary>
    public bool IsFitToStaple =>
        Verification.Answer?.CertStatus == Protocol.CertStatus.Good && (VerificationSkipped || Verification.IsTrustworthy);

    public override string ToString() =>
        $"{Subject}: {(Status == OcspResponseStatus.Successful ? CertStatus?.ToString() ?? "no answer" : OcspVerifier.StatusName(Status))}, {(Verified ? "verified" : VerificationSkipped ? "verification skipped" : "NOT verified")}";
}
