using OcspStapling.Engine.Operations;

namespace OcspStapling.Engine.Certificates;

/// <summary>What a set of paths held: the certificates, and the files that should have held one and could not be read.</summary>
public sealed record LoadedCertificates(IReadOnlyList<CertificateBundle> Certificates, IReadOnlyList<StaplingException> Unreadable);

/// <summary>Certificates named by files and directories, as `update` and Update-OcspStaple take them.</summary>
public static class CertificateSet
{
    private static readonly string[] Extensions = { ".pem", ".crt", ".cer", ".der", ".pfx", ".p12" };

    /// <summary>
    /// Each file named is loaded; each directory contributes its certificate files. Files that hold no certificate
    /// (keys share such directories) are skipped with a verbose line; damaged, empty, special or unreadable ones are
    /// reported, never skipped in silence.
    /// </summary>
    public static LoadedCertificates Load(IEnumerable<string> paths, string? pfxPassword, IOperationLog log)
    {
        var bundles = new List<CertificateBundle>();
        var unreadable = new List<StaplingException>();
        foreach (var path in paths)
        {
            if (!Directory.Exists(path))
            {
                TryLoad(path, pfxPassword, bundles, unreadable, skipNonCertificates: false, log);
                continue;
            }
            IEnumerable<string> files;
            try
            {
                files = Directory.EnumerateFiles(path).Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order().ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                unreadable.Add(new StaplingException(FailureReason.CertificateUnreadable, path, $"Cannot list directory '{path}': {e.Message}.", e));
                continue;
            }
            foreach (var file in files)
                TryLoad(file, pfxPassword, bundles, unreadable, skipNonCertificates: true, log);
        }
        return new LoadedCertificates(bundles, unreadable);
    }

    private static void TryLoad(string file, string? pfxPassword, List<CertificateBundle> bundles, List<StaplingException> unreadable, bool skipNonCertificates, IOperationLog log)
    {
        try
        {
            bundles.Add(CertificateFile.Load(file, pfxPassword));
        }
        catch (StaplingException e) when (skipNonCertificates && e.Reason == FailureReason.NoCertificateInFile)
        {
            log.Verbose($"skipping {file}: {e.Message}");
        }
        catch (StaplingException e) when (e.IsInputProblem)
        {
            unreadable.Add(e);
        }
    }
}
