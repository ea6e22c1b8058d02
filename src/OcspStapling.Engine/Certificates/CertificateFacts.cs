using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace OcspStapling.Engine.Certificates;

/// <summary>What a certificate says about OCSP: responder URLs, issuer download URLs, must-staple.</summary>
public static class CertificateFacts
{
    private const string AuthorityInfoAccessOid = "1.3.6.1.5.5.7.1.1";
    private const string TlsFeatureOid = "1.3.6.1.5.5.7.1.24";
    private const int StatusRequestFeature = 5;

    public static IReadOnlyList<string> OcspUrls(X509Certificate2 cert) => OcspUrls(cert.Extensions[AuthorityInfoAccessOid]?.RawData);

    public static IReadOnlyList<string> CaIssuerUrls(X509Certificate2 cert) => CaIssuerUrls(cert.Extensions[AuthorityInfoAccessOid]?.RawData);

    /// <summary>True when the certificate carries the TLS feature extension with status_request (RFC 7633 "must-staple").</summary>
    public static bool IsMustStaple(X509Certificate2 cert) => IsMustStaple(cert.Extensions[TlsFeatureOid]?.RawData);

    // The readers below take the extension's value as it came from an untrusted certificate (a probed server's):
    // a malformed value reads as absent, since it promises nothing that can be acted on.

    internal static IReadOnlyList<string> OcspUrls(byte[]? aia) => ReadAia(aia, a => a.EnumerateOcspUris());

    internal static IReadOnlyList<string> CaIssuerUrls(byte[]? aia) => ReadAia(aia, a => a.EnumerateCAIssuersUris());

    private static IReadOnlyList<string> ReadAia(byte[]? aia, Func<X509AuthorityInformationAccessExtension, IEnumerable<string>> pick)
    {
        if (aia == null)
            return Array.Empty<string>();
        try
        {
            return pick(new X509AuthorityInformationAccessExtension(aia)).ToList();
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or AsnContentException)
        {
            return Array.Empty<string>();
        }
    }

    internal static bool IsMustStaple(byte[]? tlsFeature)
    {
        if (tlsFeature == null)
            return false;
        try
        {
            var reader = new AsnReader(tlsFeature, AsnEncodingRules.DER).ReadSequence();
            while (reader.HasData)
            {
                // ReadInteger consumes the element whatever its size (TryReadInt32 would not, and loop forever).
                if (reader.ReadInteger() == StatusRequestFeature)
                    return true;
            }
        }
        catch (AsnContentException)
        {
            // A malformed extension is not a promise we can read; treat as absent.
        }
        return false;
    }

    /// <summary>True when <paramref name="candidate"/>'s subject is <paramref name="cert"/>'s issuer name.</summary>
    public static bool NamesIssuer(X509Certificate2 cert, X509Certificate2 candidate) =>
        cert.IssuerName.RawData.AsSpan().SequenceEqual(candidate.SubjectName.RawData);
}
