using OcspStapling.Engine.Operations;

namespace OcspStapling.Engine.Certificates;

/// <summary>Certificates named by files and directories, as `update` and Update-OcspStaple take them.</summary>
public static class CertificateSet
{
    private static readonly string[] Extensions = { ".pem", ".crt", ".cer", ".der", ".pfx", ".p12" };

    /// <summary>
    /// Each file is loaded (an unreadable one is an error); each directory contributes its certificate files,
    /// skipping those that hold no certificate (keys share such directories).
    /// </summary>
    public static List<CertificateBundle> Load(IEnumerable<string> paths, string? pfxPassword, IOperationLog log)
    {
        var bundles = new List<CertificateBundle>();
        foreach (var path in paths)
        {
            if (!Directory.Exists(path))
            {
                bundles.Add(CertificateFile.Load(path, pfxPassword));
                continue;
            }
            foreach (var file in Directory.EnumerateFiles(path).Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order())
            {
                try
                {
                    bundles.Add(CertificateFile.Load(file, pfxPassword));
                }
                catch (StaplingException e) when (e.Reason == FailureReason.CertificateUnreadable)
                {
                    log.Verbose($"skipping {file}: {e.Message}");
                }
            }
        }
        return bundles;
    }
}
