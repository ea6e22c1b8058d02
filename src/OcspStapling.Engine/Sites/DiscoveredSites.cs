namespace OcspStapling.Engine.Sites;

/// <summary>What the paths given held: the sites, the files that are not sites, and the files that could not be read.</summary>
public sealed record DiscoveredSites(IReadOnlyList<Site> Sites, IReadOnlyList<SkippedFile> Skipped, IReadOnlyList<StaplingException> Unreadable)
{
    /// <summary>
    /// Two sites whose staples would land in one export file (two directories each with a "site.pem"): an error
    /// before anything is written, naming both.
    /// </summary>
    public void CheckExportNamesAreUnique()
    {
        var clash = Sites.GroupBy(s => s.ExportName, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (clash == null)
            return;
        var names = string.Join(" and ", clash.Select(s => $"'{s.Certificate.SourcePath ?? s.Name}'"));
        throw new StaplingException(FailureReason.InvalidArgument, clash.Key,
            $"Sites {names} would both export to '{clash.Key}'; nothing was written. Give them to separate runs with separate --export-dir directories, or rename one of the files.");
    }
}
