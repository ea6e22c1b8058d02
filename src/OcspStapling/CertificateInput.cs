using System.Management.Automation;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine.Certificates;

namespace OcspStapling;

/// <summary>Turns what PowerShell pipes in (certificates from Cert:, paths, Get-ChildItem output) into engine bundles.</summary>
internal static class CertificateInput
{
    public static CertificateBundle FromCertificate(X509Certificate2 certificate) => StoreChain.Complete(certificate);

    public static CertificateBundle FromPath(PSCmdlet cmdlet, string path, SecureString? password) =>
        CertificateFile.Load(cmdlet.GetUnresolvedProviderPathFromPSPath(path), password == null ? null : new System.Net.NetworkCredential("", password).Password);
}
