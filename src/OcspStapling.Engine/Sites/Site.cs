using System.Security.Cryptography;
using OcspStapling.Engine.Certificates;

namespace OcspStapling.Engine.Sites;

/// <summary>
/// What a server is configured with: one certificate with its chain, and the name its staple is exported under.
/// </summary>
/// <param name="Name">How reports name the site: certbot's and acme.sh's directory name, else the certificate file.</param>
/// <param name="ExportName">The staple's file name in an export directory; unique among the sites of one run.</param>
public sealed record Site(string Name, SiteLayout Layout, CertificateBundle Certificate, string ExportName)
{
    /// <summary>Lower-case hex SHA-256 of the certificate: the store's key for its staple.</summary>
    public string Thumbprint { get; } = ThumbprintOf(Certificate);

    /// <summary>HAProxy's "&lt;certificate file&gt;.ocsp" beside the certificate; null for a certificate without a file.</summary>
    public string? BesidePath => Certificate.SourcePath is { } source ? source + ".ocsp" : null;

    public static string ThumbprintOf(CertificateBundle certificate) =>
        certificate.Leaf.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant();

    /// <summary>A site for a certificate that came without a file (a store, the pipeline): exported by thumbprint.</summary>
    public static Site ForCertificate(CertificateBundle certificate)
    {
        var thumbprint = ThumbprintOf(certificate);
        return certificate.SourcePath is { } path
            ? new Site(path, SiteLayout.File, certificate, Path.GetFileName(path) + ".ocsp")
            : new Site(certificate.Leaf.Subject, SiteLayout.Store, certificate, thumbprint + ".ocsp");
    }
}

/// <summary>A file that was looked at and is not a site, with why (CA certificate, chain file, part of another site).</summary>
public sealed record SkippedFile(string Path, string Reason);
