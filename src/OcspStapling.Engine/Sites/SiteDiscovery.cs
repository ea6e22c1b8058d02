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
public sealed class SiteDiscovery : ISiteSource
{
    private static readonly string[] CertificateExtensions = { ".pem", ".crt", ".cer", ".der", ".pfx", ".p12" };
    private const int MaxDepth = 16;

    /// <summary>Sites read and refreshed at a time: enough to keep every core busy, few enough to hold.</summary>
    public const int BatchSize = 1024;

    private readonly string? _pfxPassword;
    private readonly IOperationLog _log;
    private readonly CertificateFactsCache _cache;
    private readonly List<Candidate> _candidates = new();
    // The candidate that is the first site of each certificate, by its thumbprint's first 128 bits: a certificate
    // reached twice is one site.
    private readonly Dictionary<UInt128, int> _firstSiteOf = new();
    private readonly List<SkippedFile> _skipped = new();
    private readonly List<StaplingException> _unreadable = new();

    private SiteDiscovery(string? pfxPassword, IOperationLog log, CertificateFactsCache cache)
    {
        _pfxPassword = pfxPassword;
        _log = log;
        _cache = cache;
    }

    /// <summary>
    /// Walks the paths for the files that may be sites; their certificates are read batch by batch as
    /// <see cref="Batches"/> is enumerated (once), so a run over 100,000 sites never holds them all.
    /// </summary>
    /// <param name="cache">What earlier runs found the certificate files to be; files found again are not parsed.
    /// The caller saves it after the run.</param>
    public static SiteDiscovery Walk(IEnumerable<string> paths, string? pfxPassword, IOperationLog? log = null, CertificateFactsCache? cache = null)
    {
        var discovery = new SiteDiscovery(pfxPassword, log ?? SilentLog.Instance, cache ?? CertificateFactsCache.None);
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
                discovery.Walk(path, 0);
            else
                discovery.GivenFile(path);
        }
        return discovery;
    }

    /// <summary>Every site at once, for callers that want them all (the cmdlets, a status of a few).</summary>
    public static DiscoveredSites Discover(IEnumerable<string> paths, string? pfxPassword, IOperationLog? log = null, CertificateFactsCache? cache = null)
    {
        var discovery = Walk(paths, pfxPassword, log, cache);
        var sites = discovery.Batches().SelectMany(batch => batch).ToList();
        return new DiscoveredSites(sites, discovery._skipped, discovery._unreadable);
    }

    /// <summary>Files that may be sites, found by the walk (the sites may be fewer: CA certificates and duplicates are skipped).</summary>
    public int ExpectedCount => _candidates.Count;

    /// <summary>Files looked at that are not sites, with why; complete once every batch has been read.</summary>
    public IReadOnlyList<SkippedFile> Skipped => _skipped;

    /// <summary>Files that could not be read; complete once every batch has been read.</summary>
    public IReadOnlyList<StaplingException> Unreadable => _unreadable;

    /// <summary>
    /// The sites in the order the walk found them, <see cref="BatchSize"/> candidates at a time: each batch's files
    /// are read and hashed on every core (most are then found in the cache, the rest parsed) when it is asked for.
    /// </summary>
    public IEnumerable<IReadOnlyList<Site>> Batches()
    {
        for (var start = 0; start < _candidates.Count; start += BatchSize)
        {
            var count = Math.Min(BatchSize, _candidates.Count - start);
            var read = new CandidateFile[count];
            Parallel.For(0, count, i => read[i] = CandidateFile.Read(_candidates[start + i].File, _pfxPassword, _cache));
            var sites = new List<Site>(count);
            for (var i = 0; i < count; i++)
            {
                if (Admit(start + i, read[i]) is { } site)
                    sites.Add(site);
            }
            yield return sites;
        }
    }

    /// <summary>
    /// Two sites whose staples would land in one export file (two directories each with a "site.pem"): an error
    /// before anything is written, naming both. Only files whose export names clash are read to tell.
    /// </summary>
    public void CheckExportNamesAreUnique()
    {
        foreach (var clash in _candidates.GroupBy(c => c.ExportName, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            var sites = clash
                .Select(c => (Candidate: c, File: CandidateFile.Read(c.File, _pfxPassword, _cache)))
                .Where(c => c.File.Facts is { } facts && !(!c.Candidate.IsSiteDirectory && facts.IsAuthority))
                .DistinctBy(c => c.File.Facts!.Thumbprint, StringComparer.Ordinal)
                .Select(c => c.Candidate.File)
                .ToList();
            if (sites.Count > 1)
                throw DiscoveredSites.ExportNameClash(clash.Key, sites);
        }
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
            AddFileSite(Path.GetDirectoryName(path) ?? "", name, skipNonCertificates: false, hasIssuerFile: File.Exists(path + ".issuer"));
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
        List<(string Name, bool IsDirectory)> entries;
        try
        {
            // The listing says which entries are directories (no stat per file: 100,000 files are 100,000 fewer calls).
            entries = new FileSystemEnumerable<(string, bool)>(directory, (ref FileSystemEntry e) => (e.FileName.ToString(), e.IsDirectory))
                .OrderBy(e => e.Item1, StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _unreadable.Add(new StaplingException(FailureReason.CertificateUnreadable, directory, $"Cannot list directory '{directory}': {e.Message}.", e));
            return;
        }
        var files = entries.Where(e => !e.IsDirectory).Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, isDirectory) in entries)
        {
            if (isDirectory)
            {
                var entry = Path.Join(directory, name);
                if (new DirectoryInfo(entry).LinkTarget != null)
                    Skip(entry, "a link to a directory, not followed; give its target to include it");
                else if (depth >= MaxDepth)
                    Skip(entry, $"deeper than {MaxDepth} directories below the path given");
                else
                    Walk(entry, depth + 1);
            }
            else if (CertificateExtensions.Contains(Path.GetExtension(name).ToLowerInvariant()))
            {
                AddFileSite(directory, name, skipNonCertificates: true, hasIssuerFile: files.Contains(name + ".issuer"));
            }
        }
    }

    private void AddCertbotSite(string directory)
    {
        // cert.pem alone names no issuer: chain.pem beside it does.
        var issuer = File.Exists(Path.Combine(directory, "fullchain.pem")) ? IssuerFile.None : IssuerFile.ChainPem;
        _candidates.Add(new Candidate(directory, Path.GetFileName(CertbotLayout.CertificateFile(directory)), SiteLayout.Certbot, issuer, SkipNonCertificates: false));
    }

    private void AddAcmeShSite(string directory) =>
        _candidates.Add(new Candidate(directory, AcmeShLayout.FullChain, SiteLayout.AcmeSh, IssuerFile.None, SkipNonCertificates: false));

    private void AddFileSite(string directory, string fileName, bool skipNonCertificates, bool hasIssuerFile) =>
        _candidates.Add(new Candidate(directory, fileName, hasIssuerFile ? SiteLayout.Haproxy : SiteLayout.File, hasIssuerFile ? IssuerFile.Beside : IssuerFile.None, skipNonCertificates));

    private enum IssuerFile
    {
        None,
        /// <summary>HAProxy's &lt;file&gt;.issuer.</summary>
        Beside,
        /// <summary>certbot's chain.pem beside cert.pem.</summary>
        ChainPem,
    }

    // A file the walk found that may be a site; its certificate is read when its batch is. Small, since a run over
    // 100,000 files holds them all: the directory's path is one string shared by its files.
    private readonly record struct Candidate(string Directory, string FileName, SiteLayout Layout, IssuerFile Issuer, bool SkipNonCertificates)
    {
        public string File => Path.Join(Directory, FileName);

        /// <summary>certbot's live/&lt;name&gt;/ and acme.sh's &lt;domain&gt;/: the directory is the site.</summary>
        public bool IsSiteDirectory => Layout is SiteLayout.Certbot or SiteLayout.AcmeSh;

        public string Name => IsSiteDirectory ? Path.GetFileName(Directory) : File;

        public string ExportName => (IsSiteDirectory ? Path.GetFileName(Directory) : FileName) + ".ocsp";

        public string? IssuerPath => Issuer switch
        {
            IssuerFile.Beside => File + ".issuer",
            IssuerFile.ChainPem => Path.Join(Directory, "chain.pem"),
            _ => null,
        };
    }

    // A candidate as what it turned out to be: a site, or a file skipped or unreadable (with the reason kept).
    private Site? Admit(int index, CandidateFile file)
    {
        var candidate = _candidates[index];
        if (file.Error is { } error)
        {
            if (candidate.SkipNonCertificates && file.NotACertificate is { } what)
                Skip(candidate.File, what);
            else if (error.IsInputProblem)
                _unreadable.Add(error);
            else
                throw error;
            return null;
        }
        var leaf = file.Facts!;
        if (file.Key is { } key && file.Cacheable)
            _cache.Use(key, leaf, learned: file.Parsed);
        if (!candidate.IsSiteDirectory && leaf.IsAuthority)
        {
            var what = leaf.IsSelfSigned && !leaf.HasChain ? "a self-signed CA certificate (a root)" : "holds only CA certificates (a chain file)";
            Skip(candidate.File, $"{what}, not a server's certificate");
            return null;
        }
        var certificate = ThumbprintKey.Of(leaf.Thumbprint);
        if (!_firstSiteOf.TryAdd(certificate, index))
        {
            Skip(candidate.File, $"the same certificate as site '{_candidates[_firstSiteOf[certificate]].Name}'");
            return null;
        }
        var path = candidate.File;
        if (candidate.IsSiteDirectory)
        {
            foreach (var part in PartsOf(candidate.Directory, path))
                Skip(part, $"part of site '{candidate.Name}'");
        }
        return new Site(candidate.IsSiteDirectory ? candidate.Name : path, candidate.Layout, leaf, path, candidate.ExportName, Loader(path, candidate.IssuerPath, leaf));
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
