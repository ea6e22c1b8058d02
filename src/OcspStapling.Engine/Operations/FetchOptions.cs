using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Transport;
using OcspStapling.Engine.Verification;

namespace OcspStapling.Engine.Operations;

/// <summary>Everything a fetch can be told. Null and default mean what a careful administrator would pick.</summary>
public sealed record FetchOptions
{
    public static readonly FetchOptions Default = new();

    /// <summary>Issuer candidates given by the user; tried before the chain, the trusted file and AIA.</summary>
    public IReadOnlyList<X509Certificate2>? Issuers { get; init; }

    /// <summary>A PEM bundle of CA certificates (nginx's ssl_trusted_certificate) to find the issuer in.</summary>
    public string? TrustedCertificatesFile { get; init; }

    /// <summary>Ask this responder instead of the certificate's AIA URLs (nginx's ssl_stapling_responder).</summary>
    public Uri? Responder { get; init; }

    public CertIdHash Hash { get; init; } = CertIdHash.Sha1;

    /// <summary>Send a nonce and require it echoed. Off by default: many responders serve pre-signed answers.</summary>
    public bool Nonce { get; init; }

    public VerificationOptions Verification { get; init; } = VerificationOptions.Default;

    /// <summary>Report findings but do not let them block use of a "good" response: the explicit, visible opt-out.</summary>
    public bool SkipVerification { get; init; }
}
