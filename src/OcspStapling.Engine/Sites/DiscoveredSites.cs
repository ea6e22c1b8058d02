namespace OcspStapling.Engine.Sites;

/// <summary>What the paths given held: the sites, the files that are not sites, and the files that could not be read.</summary>
public sealed record DiscoveredSites(IReadOnlyList<Site> Sites, IReadOnlyList<SkippedFile> Skipped, IReadOnlyList<StaplingException> Unreadable) : ISiteSource
{
    /// <summary>All the sites as one batch: they are in memory already.</summary>
    public IEnumerable<IReadOnlyList<Site>> Batches() => new[] { Sites };

    public int ExpectedCount => Sites.Count;

    public static readonly DiscoveredSites None = new(Array.Empty<Site>(), Array.Empty<SkippedFile>(), Array.Empty<StaplingException>());

    /// <summary>Both sets as one; a certificate reached both ways is one site (the first found).</summary>
    public DiscoveredSites With(DiscoveredSites other) => new(
        Sites.Concat(other.Sites).DistinctBy(s => s.Thumbprint, StringComparer.Ordinal).ToList(),
        Skipped.Concat(other.Skipped).ToList(),
        Unreadable.Concat(other.Unreadable).ToList());

    /// <summary>
    /// Two sites whose staples would land in one export file (two directories each with a "site.pem"): an error
    /// before anything is written, naming both.
    /// </summary>
    public void CheckExportNamesAreUnique()
    {
        var clash = Sites.GroupBy(s => s.ExportName, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (clash == null)
            return;
        throw ExportNameClash(clash.Key, clash.Select(s => s.SourcePath ?? s.Name).ToList());
    }

    internal static StaplingException ExportNameClash(string exportName, IReadOnlyList<string> sites) =>
        new(FailureReason.InvalidArgument, exportName,
            $"Sites {string.Join(" and ", sites.Select(s => $"'{s}'"))} would both export to '{exportName}'; nothing was written. Give them to separate runs with separate --export-dir directories, or rename one of the files.");
}
