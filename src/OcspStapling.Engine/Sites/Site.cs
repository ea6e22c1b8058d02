using OcspStapling.Engine.Certificates;

namespace OcspStapling.Engine.Sites;

/// <summary>
/// What a server is configured with: one certificate with its chain, and the name its staple is exported under.
/// The certificate's facts (<see cref="Leaf"/>) are always at hand; the certificate itself is read from its file
/// only when something needs it (a fetch), so a run in which nothing is due parses no certificate.
/// </summary>
public sealed class Site
{
    private readonly Func<CertificateBundle> _readCertificate;

    /// <summary>A site whose certificate has been read.</summary>
    public Site(string name, SiteLayout layout, CertificateBundle certificate, string exportName)
        : this(name, layout, CertificateSummary.Of(certificate), certificate.SourcePath, exportName, () => certificate, readsFromFile: false)
    {
    }

    /// <summary>A site known by its certificate's facts; <paramref name="read"/> reads the certificate from its file each time it is needed.</summary>
    public Site(string name, SiteLayout layout, CertificateSummary leaf, string sourcePath, string exportName, Func<CertificateBundle> read)
        : this(name, layout, leaf, sourcePath, exportName, read, readsFromFile: true)
    {
    }

    private Site(string name, SiteLayout layout, CertificateSummary leaf, string? sourcePath, string exportName, Func<CertificateBundle> read, bool readsFromFile)
    {
        ReadsFromFile = readsFromFile;
        Name = name;
        Layout = layout;
        Leaf = leaf;
        SourcePath = sourcePath;
        ExportName = exportName;
        _readCertificate = read;
    }

    /// <summary>How reports name the site: certbot's and acme.sh's directory name, else the certificate file.</summary>
    public string Name { get; }

    public SiteLayout Layout { get; }

    /// <summary>What the site's certificate says (subject, dates, responder, thumbprint).</summary>
    public CertificateSummary Leaf { get; }

    /// <summary>The file the certificate is read from; null for a certificate that came without one.</summary>
    public string? SourcePath { get; }

    /// <summary>The staple's file name in an export directory; unique among the sites of one run.</summary>
    public string ExportName { get; }

    /// <summary>
    /// The certificate with its chain, read from its file on each call and not kept (a run over 100,000 sites keeps
    /// none); a file that changed or vanished since discovery throws the <see cref="StaplingException"/> that names
    /// it, which becomes this site's failure.
    /// </summary>
    public CertificateBundle ReadCertificate() => _readCertificate();

    /// <summary>
    /// Each <see cref="ReadCertificate"/> reads the file anew, so the caller owns (and disposes) the leaf it gets;
    /// otherwise it is the certificate the site was made with, which its owner disposes.
    /// </summary>
    public bool ReadsFromFile { get; }

    /// <summary>Lower-case hex SHA-256 of the certificate: the store's key for its staple.</summary>
    public string Thumbprint => Leaf.Thumbprint;

    /// <summary>HAProxy's "&lt;certificate file&gt;.ocsp" beside the certificate; null for a certificate without a file.</summary>
    public string? BesidePath => SourcePath is { } source ? source + ".ocsp" : null;

    /// <summary>A site for a certificate that came without a file (a store, the pipeline): exported by thumbprint.</summary>
    public static Site ForCertificate(CertificateBundle certificate)
    {
        var leaf = CertificateSummary.Of(certificate);
        return certificate.SourcePath is { } path
            ? new Site(path, SiteLayout.File, certificate, Path.GetFileName(path) + ".ocsp")
            : new Site(leaf.Subject, SiteLayout.Store, leaf, null, leaf.Thumbprint + ".ocsp", () => certificate, readsFromFile: false);
    }

    public override string ToString() => Name;
}

/// <summary>A file that was looked at and is not a site, with why (CA certificate, chain file, part of another site).</summary>
public sealed record SkippedFile(string Path, string Reason);
