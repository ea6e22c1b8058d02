using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Sites;

namespace OcspStapling.Engine.Tls;

/// <summary>
/// Finds the private key beside each discovered site, by the conventions of the tools that wrote it (certbot's
/// privkey.pem, acme.sh's &lt;domain&gt;.key, HAProxy's key inside the .pem or in .pem.key, name.crt + name.key), so a
/// listener can serve every site <c>update</c> discovers.
/// </summary>
public static class SiteKeys
{
    /// <summary>
    /// The sites as certificates to serve; a site whose key is missing or unreadable is left out, and so is a path
    /// that could not be read (a missing directory, a damaged file), each with one warning.
    /// </summary>
    public static IReadOnlyList<ServedCertificate> Serve(DiscoveredSites discovered, string? password, IOperationLog log)
    {
        foreach (var unreadable in discovered.Unreadable)
            log.Warning(unreadable.Message);
        var served = new List<ServedCertificate>();
        foreach (var site in discovered.Sites)
        {
            if (site.SourcePath is not { } file)
                continue;
            try
            {
                served.Add(ServedCertificate.Load(file, KeyFile(site.Layout, file), password) with { SiteName = site.Name });
            }
            catch (StaplingException e)
            {
                log.Warning($"Not serving {site.Name}: {e.Message}");
            }
        }
        return served;
    }

    /// <summary>The key file for a certificate file, or null when the key should be inside it (HAProxy .pem, PFX).</summary>
    public static string? KeyFile(SiteLayout layout, string certificateFile)
    {
        var directory = Path.GetDirectoryName(certificateFile) ?? ".";
        var candidates = layout switch
        {
            SiteLayout.Certbot => new[] { Path.Combine(directory, "privkey.pem") },
            SiteLayout.AcmeSh => new[] { Path.Combine(directory, AcmeShLayout.DomainOf(directory) + ".key") },
            _ => new[] { certificateFile + ".key", Path.ChangeExtension(certificateFile, ".key") },
        };
        return candidates.FirstOrDefault(File.Exists);
    }
}
