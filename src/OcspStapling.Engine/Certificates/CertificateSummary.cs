using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OcspStapling.Engine.Certificates;

/// <summary>
/// What discovery, the policy and reports need to know of a site's certificate, without the certificate itself:
/// small enough to keep for 100,000 sites and to cache between runs (<see cref="Sites.CertificateFactsCache"/>),
/// so a run in which nothing is due parses no certificate.
/// </summary>
/// <param name="Thumbprint">Lower-case hex SHA-256 of the certificate: the store's key for its staple.</param>
/// <param name="HasOcspUrl">The certificate names an OCSP responder.</param>
/// <param name="MustStaple">The TLS feature status_request (RFC 7633).</param>
/// <param name="IsAuthority">A CA certificate (basic constraints cA): not a server's certificate.</param>
/// <param name="IsSelfSigned">Its subject is its issuer (a root, when it is also an authority).</param>
/// <param name="HasChain">The file held other certificates besides this one.</param>
public sealed record CertificateSummary(
    string Thumbprint,
    string Subject,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    bool HasOcspUrl,
    bool MustStaple,
    bool IsAuthority,
    bool IsSelfSigned,
    bool HasChain)
{
    public static CertificateSummary Of(CertificateBundle bundle)
    {
        var leaf = bundle.Leaf;
        return new CertificateSummary(
            ThumbprintOf(leaf),
            leaf.Subject,
            leaf.NotBefore.ToUniversalTime(),
            leaf.NotAfter.ToUniversalTime(),
            CertificateFacts.OcspUrls(leaf).Count > 0,
            CertificateFacts.IsMustStaple(leaf),
            IsCertificateAuthority(leaf),
            leaf.SubjectName.RawData.AsSpan().SequenceEqual(leaf.IssuerName.RawData),
            bundle.Chain.Count > 0);
    }

    public static string ThumbprintOf(X509Certificate2 certificate) =>
        certificate.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant();

    public static bool IsCertificateAuthority(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority);
}
