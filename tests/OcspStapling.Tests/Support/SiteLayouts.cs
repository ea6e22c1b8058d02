using System.Security.Cryptography.X509Certificates;

namespace OcspStapling.Tests.Support;

/// <summary>The directory layouts ACME clients and HAProxy leave, built from lab certificates as those tools write them.</summary>
public sealed class SiteLayouts
{
    private readonly LabResponderFixture _lab;

    public SiteLayouts(LabResponderFixture lab) => _lab = lab;

    public X509Certificate2 Leaf(string dnsName, bool withOcsp = true, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        var leaf = _lab.Pki.IssueLeaf(dnsName, withOcsp ? new[] { _lab.Responder.Url.ToString() } : Array.Empty<string>(), notBefore: notBefore, notAfter: notAfter);
        _lab.Responder.Add(leaf);
        return leaf;
    }

    /// <summary>
    /// certbot's /etc/letsencrypt: live/&lt;name&gt;/{cert,chain,fullchain,privkey}.pem (links into archive/, as
    /// certbot makes them), archive/&lt;name&gt;/*1.pem, renewal/&lt;name&gt;.conf. Returns live/&lt;name&gt;.
    /// </summary>
    public string Certbot(string root, string name, X509Certificate2? leaf = null)
    {
        leaf ??= Leaf(name + ".example.test");
        var archive = Directory.CreateDirectory(Path.Combine(root, "archive", name)).FullName;
        var version = Directory.GetFiles(archive, "cert*.pem").Length + 1;
        LabFiles.WritePem(Path.Combine(archive, $"cert{version}.pem"), leaf);
        LabFiles.WritePem(Path.Combine(archive, $"chain{version}.pem"), _lab.Pki.Issuer);
        LabFiles.WritePem(Path.Combine(archive, $"fullchain{version}.pem"), leaf, _lab.Pki.Issuer);
        File.WriteAllText(Path.Combine(archive, $"privkey{version}.pem"), _lab.Pki.LeafKeyPem());
        var live = Directory.CreateDirectory(Path.Combine(root, "live", name)).FullName;
        foreach (var part in new[] { "cert", "chain", "fullchain", "privkey" })
        {
            var link = Path.Combine(live, part + ".pem");
            File.Delete(link);
            File.CreateSymbolicLink(link, Path.Combine("..", "..", "archive", name, $"{part}{version}.pem"));
        }
        File.WriteAllText(Path.Combine(live, "README"), "This directory contains your keys and certificates.\n");
        Directory.CreateDirectory(Path.Combine(root, "renewal"));
        File.WriteAllText(Path.Combine(root, "renewal", name + ".conf"), $"archive_dir = {archive}\n");
        return live;
    }

    /// <summary>acme.sh's ~/.acme.sh/&lt;domain&gt;/: &lt;domain&gt;.cer, ca.cer, fullchain.cer, &lt;domain&gt;.key. Returns the directory.</summary>
    public string AcmeSh(string root, string domain)
    {
        var leaf = Leaf(domain);
        var dir = Directory.CreateDirectory(Path.Combine(root, domain)).FullName;
        LabFiles.WritePem(Path.Combine(dir, domain + ".cer"), leaf);
        LabFiles.WritePem(Path.Combine(dir, "ca.cer"), _lab.Pki.Issuer);
        LabFiles.WritePem(Path.Combine(dir, "fullchain.cer"), leaf, _lab.Pki.Issuer);
        File.WriteAllText(Path.Combine(dir, domain + ".key"), _lab.Pki.LeafKeyPem());
        File.WriteAllText(Path.Combine(dir, domain + ".conf"), $"Le_Domain='{domain}'\n");
        return dir;
    }

    /// <summary>HAProxy's crt directory entry: &lt;name&gt;.pem (certificate and key, no chain) and &lt;name&gt;.pem.issuer.</summary>
    public string Haproxy(string directory, string name)
    {
        var leaf = Leaf(name + ".example.test");
        Directory.CreateDirectory(directory);
        var pem = Path.Combine(directory, name + ".pem");
        File.WriteAllText(pem, leaf.ExportCertificatePem() + "\n" + _lab.Pki.LeafKeyPem());
        LabFiles.WritePem(pem + ".issuer", _lab.Pki.Issuer);
        return pem;
    }
}
