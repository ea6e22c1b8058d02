using System.IO.Enumeration;
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
    private readonly CertificateFactsCache _cache;
    private readonly List<Site> _sites = new();
    private readonly Dictionary<string, Site> _byThumbprint = new(StringComparer.Ordinal);
    private readonly List<SkippedFile> _skipped = new();
    private readonly List<StaplingException> _unreadable = new();

    private SiteDiscovery(string? pfxPassword, IOperationLog log, CertificateFactsCache cache)
    {
        _pfxPassword = pfxPassword;
        _log = log;
        _cache = cache;
    }

    /// <param name="cache">What earlier runs found the certificate files to be; files found again are not parsed.
    /// The caller saves it after the run.</param>
    public static DiscoveredSites Discover(IEnumerable<string> paths, string? pfxPassword, IOperationLog? log = null, CertificateFactsCache? cache = null)
    {
        var discovery = new SiteDiscovery(pfxPassword, log ?? SilentLog.Instance, cache ?? CertificateFactsCache.None);
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
                discovery.Walk(path, 0);
            else
                discovery.GivenFile(path);
        }
        discovery.ReadCandidates();
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
            if (CertificateSummary.IsCertificateAuthority(certificate.Leaf))
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
            AddFileSite(path, skipNonCertificates: false, hasIssuerFile: File.Exists(path + ".issuer"));
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
        List<(string Path, bool IsDirectory)> entries;
        try
        {
            // The listing says which entries are directories (no stat per file: 100,000 files are 100,000 fewer calls).
            entries = new FileSystemEnumerable<(string, bool)>(directory, (ref FileSystemEntry e) => (e.ToFullPath(), e.IsDirectory))
                .OrderBy(e => e.Item1, StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _unreadable.Add(new StaplingException(FailureReason.CertificateUnreadable, directory, $"Cannot list directory '{directory}': {e.Message}.", e));
            return;
        }
        var names = entries.Where(e => !e.IsDirectory).Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var (entry, isDirectory) in entries)
        {
            if (isDirectory)
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
                AddFileSite(entry, skipNonCertificates: true, hasIssuerFile: names.Contains(entry + ".issuer"));
            }
        }
    }

    private void AddCertbotSite(string directory)
    {
        var name = Path.GetFileName(directory);
        // cert.pem alone names no issuer: chain.pem beside it does.
        var issuers = File.Exists(Path.Combine(directory, "fullchain.pem")) ? null : Path.Combine(directory, "chain.pem");
        _candidates.Add(new Candidate(CertbotLayout.CertificateFile(directory), name, SiteLayout.Certbot, issuers, SkipNonCertificates: false, SiteDirectory: directory));
    }

    private void AddAcmeShSite(string directory)
    {
        var name = Path.GetFileName(directory);
        _candidates.Add(new Candidate(Path.Combine(directory, AcmeShLayout.FullChain), name, SiteLayout.AcmeSh, null, SkipNonCertificates: false, SiteDirectory: directory));
    }

    private void AddFileSite(string path, bool skipNonCertificates, bool hasIssuerFile) =>
        _candidates.Add(new Candidate(path, path, hasIssuerFile ? SiteLayout.Haproxy : SiteLayout.File, hasIssuerFile ? path + ".issuer" : null, skipNonCertificates, SiteDirectory: null));

    // A file the walk found that may be a site; its certificate is read once the walk is done.
    private sealed record Candidate(string File, string Name, SiteLayout Layout, string? IssuerFile, bool SkipNonCertificates, string? SiteDirectory)
    {
        public string ExportName => (SiteDirectory != null ? Name : Path.GetFileName(File)) + ".ocsp";
    }

    private readonly List<Candidate> _candidates = new();

    // The candidates' files are read and hashed on every core (most are then found in the cache, the rest parsed),
    // and become sites in the order the walk found them.
    private void ReadCandidates()
    {
        var read = new CandidateFile[_candidates.Count];
        Parallel.For(0, _candidates.Count, i => read[i] = CandidateFile.Read(_candidates[i].File, _pfxPassword, _cache));
        for (var i = 0; i < read.Length; i++)
            Admit(_candidates[i], read[i]);
        _candidates.Clear();
    }

    private void Admit(Candidate candidate, CandidateFile file)
    {
        if (file.Error is { } error)
        {
            if (candidate.SkipNonCertificates && error.Reason == FailureReason.NoCertificateInFile)
                Skip(candidate.File, "holds no certificate (a key or a request?)");
            else if (error.IsInputProblem)
                _unreadable.Add(error);
            else
                throw error;
            return;
        }
        var leaf = file.Facts!;
        if (file.Key is { } key && file.Cacheable)
            _cache.Use(key, leaf, learned: file.Parsed);
        if (candidate.SiteDirectory == null && leaf.IsAuthority)
        {
            var what = leaf.IsSelfSigned && !leaf.HasChain ? "a self-signed CA certificate (a root)" : "holds only CA certificates (a chain file)";
            Skip(candidate.File, $"{what}, not a server's certificate");
            return;
        }
        var site = new Site(candidate.Name, candidate.Layout, leaf, candidate.File, candidate.ExportName, Loader(candidate.File, candidate.IssuerFile, leaf));
        Add(site, candidate.SiteDirectory != null ? PartsOf(candidate.SiteDirectory, candidate.File) : Array.Empty<string>());
    }

    private void Add(Site site, IEnumerable<string> parts)
    {
        if (_byThumbprint.TryGetValue(site.Thumbprint, out var first))
        {
            Skip(site.SourcePath ?? site.Name, $"the same certificate as site '{first.Name}'");
            return;
        }
        _byThumbprint[site.Thumbprint] = site;
        _sites.Add(site);
        foreach (var part in parts)
            Skip(part, $"part of site '{site.Name}'");
    }

    // Reads a site's certificate when it is to be fetched: the one discovery found (a file replaced since is left to
    // the next run), with the issuers from the file beside it that names them (certbot's chain.pem, HAProxy's .issuer).
    private Func<CertificateBundle> Loader(string path, string? issuerFile, CertificateSummary found)
    {
        var password = _pfxPassword;
        return () =>
        {
            var bundle = CertificateFile.Load(path, password);
            if (CertificateSummary.ThumbprintOf(bundle.Leaf) != found.Thumbprint)
                throw new StaplingException(FailureReason.CertificateUnreadable, path,
                    $"The certificate in '{path}' was replaced while this run was using it; the next run reads the new one.");
            return issuerFile != null && File.Exists(issuerFile)
                ? bundle with { Chain = bundle.Chain.Concat(CertificateFile.ReadAll(issuerFile)).ToList() }
                : bundle;
        };
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
}
