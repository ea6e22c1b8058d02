using System.Management.Automation;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Sites;

namespace OcspStapling;

/// <summary>
/// The sites Update-OcspStaple and Get-OcspStaple are given, found as `ocspstaple update` finds them: file-system
/// paths are discovered (certbot, acme.sh, HAProxy, plain files, recursively); a Cert:\ path and certificate
/// objects are sites of their own, exported as &lt;thumbprint&gt;.ocsp.
/// </summary>
internal sealed class SiteInput
{
    private DiscoveredSites _discovered = DiscoveredSites.None;

    public bool IsEmpty => _discovered.Sites.Count == 0 && _discovered.Unreadable.Count == 0;

    public DiscoveredSites Discovered => _discovered;

    public void AddCertificates(IEnumerable<X509Certificate2> certificates) =>
        _discovered = _discovered.With(SiteDiscovery.FromCertificates(certificates.Select(CertificateInput.FromCertificate)));

    /// <summary>Adds what the paths hold; the damaged files come back so the cmdlet reports each as an error.</summary>
    public IReadOnlyList<StaplingException> AddPaths(PSCmdlet cmdlet, IEnumerable<string> paths, SecureString? password, IOperationLog log)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            var resolved = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
            if (provider.Name == "Certificate")
                AddCertificates(cmdlet.InvokeProvider.ChildItem.Get(path, true).Select(item => item.BaseObject).OfType<X509Certificate2>());
            else
                files.Add(resolved);
        }
        if (files.Count == 0)
            return Array.Empty<StaplingException>();
        var found = SiteDiscovery.Discover(files, password == null ? null : new System.Net.NetworkCredential("", password).Password, log);
        _discovered = _discovered.With(found with { Unreadable = Array.Empty<StaplingException>() });
        return found.Unreadable;
    }
}
