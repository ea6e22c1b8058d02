using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Operations;

namespace OcspStapling.Engine.Sites;

/// <summary>
/// Finds the sites under the paths given, as ACME clients and HAProxy leave them: certbot's live/&lt;name&gt;/ and
/// acme.sh's &lt;domain&gt;/ are one site each; any other certificate file is a site of its own, with HAProxy's
/// &lt;file&gt;.issuer beside it read as its issuer. Directories are walked recursively. CA certificates and
/// chain-only files are skipped with the reason, and one certificate reached by two paths is one site.
/// </summary>
public sealed class SiteDiscovery
{
    private static readonly string[] CertificateExtensions = { ".pem", ".crt", ".cer", ".der", ".pfx", ".p12" };
    private const int MaxDepth = 16;

    private readonly string? _pfxPassword;
    private readonly IOperationLog _log;
    private readonly List<Site> _sites = new();
    private readonly Dictionary<string, Site> _byThumbprint = new(StringComparer.Ordinal);
    private readonly List<SkippedFile> _skipped = new();
    private readonly List<StaplingException> _unreadable = new();

    private SiteDiscovery(string? pfxPassword, IOperationLog log)
    {
        _pfxPassword = pfxPassword;
        _log = log;
    }

    public static DiscoveredSites Discover(IEnumerable<string> paths, string? pfxPassword, IOperationLog? log = null)
    {
        var discovery = new SiteDiscovery(pfxPassword, log ?? SilentLog.Instance);
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
                discovery.Walk(path, 0);
            else
                discovery.GivenFile(path);
        }
        return new DiscoveredSites(discovery._sites, discovery._skipped, discovery._unreadable);
    }

    /// <summary>
    /// Certificates handed over without files (a Windows certificate store, the pipeline): each is a site exported
    /// as &lt;thumbprint&gt;.ocsp; CA certificates are skipped, as in a directory.
    /// </summary>
    public static DiscoveredSites FromCertificates(IEnumerable<CertificateBundle> certificates)
    {
        var sites = new List<Site>();
        var skipped = new List<SkippedFile>();
        foreach (var certificate in certificates)
        {
            if (IsCertificateAuthority(certificate.Leaf))
                skipped.Add(new SkippedFile(certificate.SourcePath ?? certificate.Leaf.Subject, "a CA certificate, not a server's certificate"));
            else
                sites.Add(Site.ForCertificate(certificate));
        }
        return new DiscoveredSites(sites, skipped, Array.Empty<StaplingException>()).With(DiscoveredSites.None);
    }

    // A file named on the command line: a certbot or acme.sh file names its whole site; anything else is a file site,
    // and one that holds no certificate at all is an error (it was asked for by name).
    private void GivenFile(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var name = Path.GetFileName(path);
        if (CertbotLayout.IsSiteDirectory(directory) && CertbotLayout.IsSiteFile(name))
            AddCertbotSite(directory);
        else if (AcmeShLayout.IsSiteDirectory(directory) && AcmeShLayout.IsSiteFile(directory, name))
            AddAcmeShSite(directory);
        else
            AddFileSite(path, skipNonCertificates: false);
    }

    private void Walk(string directory, int depth)
    {
        if (CertbotLayout.IsSiteDirectory(directory))
        {
            AddCertbotSite(directory);
            return;
        }
        if (AcmeShLayout.IsSiteDirectory(directory))
        {
            AddAcmeShSite(directory);
            return;
        }
        if (CertbotLayout.IsArchive(directory))
        {
            Skip(directory, "certbot's archive of earlier certificates; its live/ directory names the current ones");
            return;
        }
        List<string> entries;
        try
        {
            entries = Directory.EnumerateFileSystemEntries(directory).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _unreadable.Add(new StaplingException(FailureReason.CertificateUnreadable, directory, $"Cannot list directory '{directory}': {e.Message}.", e));
            return;
        }
        foreach (var entry in entries)
        {
            if (Directory.Exists(entry))
            {
                if (new DirectoryInfo(entry).LinkTarget != null)
                    Skip(entry, "a link to a directory, not followed; give its target to include it");
                else if (depth >= MaxDepth)
                    Skip(entry, $"deeper than {MaxDepth} directories below the path given");
                else
                    Walk(entry, depth + 1);
            }
            else if (CertificateExtensions.Contains(Path.GetExtension(entry).ToLowerInvariant()))
            {
                AddFileSite(entry, skipNonCertificates: true);
            }
        }
    }

    private void AddCertbotSite(string directory)
    {
        var name = Path.GetFileName(directory);
        var bundle = Load(CertbotLayout.CertificateFile(directory), skipNonCertificates: false);
        if (bundle != null && !File.Exists(Path.Combine(directory, "fullchain.pem")))
            bundle = WithIssuers(bundle, Path.Combine(directory, "chain.pem")); // cert.pem alone names no issuer
        if (bundle != null)
            Add(new Site(name, SiteLayout.Certbot, bundle, name + ".ocsp"), PartsOf(directory, bundle.SourcePath!));
    }

    private void AddAcmeShSite(string directory)
    {
        var name = Path.GetFileName(directory);
        var bundle = Load(Path.Combine(directory, AcmeShLayout.FullChain), skipNonCertificates: false);
        if (bundle != null)
            Add(new Site(name, SiteLayout.AcmeSh, bundle, name + ".ocsp"), PartsOf(directory, bundle.SourcePath!));
    }

    private void AddFileSite(string path, bool skipNonCertificates)
    {
        var bundle = Load(path, skipNonCertificates);
        if (bundle == null)
            return;
        if (IsCertificateAuthority(bundle.Leaf))
        {
            var selfSigned = bundle.Leaf.SubjectName.RawData.AsSpan().SequenceEqual(bundle.Leaf.IssuerName.RawData);
            var what = selfSigned && bundle.Chain.Count == 0 ? "a self-signed CA certificate (a root)" : "holds only CA certificates (a chain file)";
            Skip(path, $"{what}, not a server's certificate");
            return;
        }
        var issuerFile = path + ".issuer";
        var layout = SiteLayout.File;
        if (File.Exists(issuerFile))
        {
            bundle = WithIssuers(bundle, issuerFile);
            layout = SiteLayout.Haproxy;
        }
        Add(new Site(path, layout, bundle, Path.GetFileName(path) + ".ocsp"), Array.Empty<string>());
    }

    private void Add(Site site, IEnumerable<string> parts)
    {
        if (_byThumbprint.TryGetValue(site.Thumbprint, out var first))
        {
            Skip(site.Certificate.SourcePath ?? site.Name, $"the same certificate as site '{first.Name}'");
            return;
        }
        _byThumbprint[site.Thumbprint] = site;
        _sites.Add(site);
        foreach (var part in parts)
            Skip(part, $"part of site '{site.Name}'");
    }

    private CertificateBundle? Load(string path, bool skipNonCertificates)
    {
        try
        {
            return CertificateFile.Load(path, _pfxPassword);
        }
        catch (StaplingException e) when (skipNonCertificates && e.Reason == FailureReason.NoCertificateInFile)
        {
            Skip(path, "holds no certificate (a key or a request?)");
        }
        catch (StaplingException e) when (e.IsInputProblem)
        {
            _unreadable.Add(e);
        }
        return null;
    }

    private CertificateBundle WithIssuers(CertificateBundle bundle, string issuerFile)
    {
        if (!File.Exists(issuerFile))
            return bundle;
        try
        {
            return bundle with { Chain = bundle.Chain.Concat(CertificateFile.ReadAll(issuerFile)).ToList() };
        }
        catch (StaplingException e) when (e.IsInputProblem)
        {
            _unreadable.Add(e);
            return bundle;
        }
    }

    private void Skip(string path, string reason)
    {
        _skipped.Add(new SkippedFile(path, reason));
        _log.Verbose($"skipping {path}: {reason}");
    }

    // The other certificate files of a certbot or acme.sh directory, listed as skipped so -v shows where they went.
    private static IEnumerable<string> PartsOf(string directory, string siteFile) =>
        Directory.EnumerateFiles(directory)
            .Where(f => CertificateExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()) && f != siteFile)
            .Order(StringComparer.Ordinal);

    private static bool IsCertificateAuthority(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority);
}
