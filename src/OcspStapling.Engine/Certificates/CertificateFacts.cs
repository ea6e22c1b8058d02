using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace OcspStapling.Engine.Certificates;

/// <summary>What a certificate says about OCSP: responder URLs, issuer download URLs, must-staple.</summary>
public static class CertificateFacts
{
    private const string AuthorityInfoAccessOid = "1.3.6.1.5.5.7.1.1";
    private const string TlsFeatureOid = "1.3.6.1.5.5.7.1.24";
    private const int StatusRequestFeature = 5;

    public static IReadOnlyList<string> OcspUrls(X509Certificate2 cert) =>
        Aia(cert)?.EnumerateOcspUris().ToList() ?? new List<string>();

    public static IReadOnlyList<string> CaIssuerUrls(X509Certificate2 cert) =>
        Aia(cert)?.EnumerateCAIssuersUris().ToList() ?? new List<string>();

    /// <summary>True when the certificate carries the TLS feature extension with status_request (RFC 7633 "must-staple").</summary>
    public static bool IsMustStaple(X509Certificate2 cert)
    {
        var ext = cert.Extensions[TlsFeatureOid];
        if (ext == null)
            return false;
        try
        {
            var reader = new AsnReader(ext.RawData, AsnEncodingRules.DER).ReadSequence();
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

    private static X509AuthorityInformationAccessExtension? Aia(X509Certificate2 cert)
    {
        var ext = cert.Extensions[AuthorityInfoAccessOid];
        return ext switch
        {
            null => null,
            X509AuthorityInformationAccessExtension typed => typed,
            _ => new X509AuthorityInformationAccessExtension(ext.RawData, ext.Critical),
        };
    }
}
