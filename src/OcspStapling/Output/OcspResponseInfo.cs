using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine.Operations;

namespace OcspStapling;

/// <summary>
/// What Get-OcspResponse writes: one certificate's response and the verdict on it, in values PowerShell shows,
/// serializes (Start-Job, Export-Clixml) and converts to JSON as they are: names for states, UTC times, the
/// certificate as subject and thumbprint. The bytes and the certificate are a method call away, not properties.
/// </summary>
public sealed class OcspResponseInfo
{
    internal OcspResponseInfo(OcspResult result) => Result = result;

    /// <summary>The engine's result, which Export-OcspStapleFile and Test-OcspStaple work on.</summary>
    internal OcspResult Result { get; }

    public string Subject => Result.Subject;

    /// <summary>SHA-256 of the certificate, lower-case hex: the name used in the store, exports and metrics.</summary>
    public string Thumbprint => Result.Thumbprint;

    public string? CertificatePath => Result.CertificatePath;

    public string Issuer => Result.Issuer.Subject;

    public string IssuerSource => Result.IssuerSource.ToString();

    /// <summary>The responder URL asked, or the staple file read.</summary>
    public string Source => Result.Source;

    public string? Method => Result.Method?.ToString();

    /// <summary>The response status (Successful, TryLater, Unauthorized…).</summary>
    public string Status => Result.Status.ToString();

    /// <summary>Good, Revoked or Unknown; empty when the response holds no answer for this certificate.</summary>
    public string? CertStatus => Result.CertStatus?.ToString();

    public DateTime? ThisUpdate => Result.ThisUpdate?.UtcDateTime;

    public DateTime? NextUpdate => Result.NextUpdate?.UtcDateTime;

    public DateTime? ProducedAt => Result.ProducedAt?.UtcDateTime;

    public DateTime ObtainedAt => Result.ObtainedAt.UtcDateTime;

    /// <summary>The state the one policy gives this staple now (Stapled, Lapsing, Revoked…).</summary>
    public string State => Result.State.ToString();

    public bool Verified => Result.Verified;

    public bool VerificationSkipped => Result.VerificationSkipped;

    /// <summary>Good, and verified unless verification was skipped: what Export-OcspStapleFile writes without -Force.</summary>
    public bool IsFitToStaple => Result.IsFitToStaple;

    /// <summary>Each rule the response breaks, in words; empty when it passes.</summary>
    public string[] Findings => Result.Findings.Select(f => f.Message).ToArray();

    /// <summary>The size of the DER response in bytes.</summary>
    public int Length => Result.Response.RawData.Length;

    /// <summary>The DER response, as a staple file holds it.</summary>
    public byte[] GetEncoded() => (byte[])Result.Response.RawData.Clone();

    public X509Certificate2 GetCertificate() => Result.Certificate;

    public X509Certificate2 GetIssuerCertificate() => Result.Issuer;

    public override string ToString() => Result.ToString();
}
