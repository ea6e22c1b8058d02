namespace OcspStapling.Engine.Sites;

/// <summary>certbot's layout: /etc/letsencrypt/live/&lt;name&gt;/{cert,chain,fullchain,privkey}.pem and archive/.</summary>
internal static class CertbotLayout
{
    public static bool IsSiteDirectory(string directory) =>
        Path.GetFileName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)))) == "live"
        && (File.Exists(Path.Combine(directory, "fullchain.pem")) || File.Exists(Path.Combine(directory, "cert.pem")));

    public static bool IsSiteFile(string fileName) => fileName is "fullchain.pem" or "cert.pem";

    /// <summary>fullchain.pem when present (the certificate and its issuer), else cert.pem.</summary>
    public static string CertificateFile(string directory) =>
        File.Exists(Path.Combine(directory, "fullchain.pem")) ? Path.Combine(directory, "fullchain.pem") : Path.Combine(directory, "cert.pem");

    public static bool IsArchive(string directory)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        return Path.GetFileName(full) == "archive" && Directory.Exists(Path.Combine(Path.GetDirectoryName(full)!, "live"));
    }
}

/// <summary>acme.sh's layout: ~/.acme.sh/&lt;domain&gt;[_ecc]/{fullchain.cer, ca.cer, &lt;domain&gt;.cer, &lt;domain&gt;.key}.</summary>
internal static class AcmeShLayout
{
    public const string FullChain = "fullchain.cer";

    public static bool IsSiteDirectory(string directory) => File.Exists(Path.Combine(directory, FullChain));

    public static bool IsSiteFile(string directory, string fileName) =>
        fileName == FullChain || fileName == DomainOf(directory) + ".cer";

    /// <summary>The domain an acme.sh site directory is for (&lt;domain&gt; or &lt;domain&gt;_ecc).</summary>
    public static string DomainOf(string directory)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
        return name.EndsWith("_ecc", StringComparison.Ordinal) ? name[..^4] : name;
    }
}
