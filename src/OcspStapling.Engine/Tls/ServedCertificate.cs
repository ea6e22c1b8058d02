using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine.Certificates;

namespace OcspStapling.Engine.Tls;

/// <summary>
/// One certificate a listener serves: with its private key, the intermediates sent after it, and the files it was read
/// from (null when it came from a certificate store), which the listener watches for a renewal.
/// </summary>
public sealed record ServedCertificate(X509Certificate2 Certificate, X509Certificate2Collection Intermediates)
{
    public string? CertificateFile { get; init; }

    public string? KeyFile { get; init; }

    public string? Password { get; init; }

    /// <summary>The site this certificate is, as update names it (certbot's or acme.sh's name), when it came from a site.</summary>
    public string? SiteName { get; init; }

    /// <summary>Its name in every output: the site's name, else the certificate file as given, else the subject.</summary>
    public string Site => SiteName ?? CertificateFile ?? Subject;

    /// <summary>Reads a certificate and its key: PEM (leaf, chain; key inside or in <paramref name="keyFile"/>) or PFX.</summary>
    public static ServedCertificate Load(string certificateFile, string? keyFile, string? password)
    {
        var (certificate, intermediates) = ServerCertificateFile.Load(certificateFile, keyFile, password);
        return new ServedCertificate(certificate, intermediates) { CertificateFile = certificateFile, KeyFile = keyFile, Password = password };
    }

    /// <summary>The same files read again (a renewal, or a pair still being written: then this throws).</summary>
    internal ServedCertificate Reload() => Load(CertificateFile!, KeyFile, Password) with { SiteName = SiteName };

    public string Subject => Certificate.Subject;
}
