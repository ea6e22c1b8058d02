namespace OcspStapling.Engine.Sites;

/// <summary>
/// Sites handed to a refresh or a status view a batch at a time, so a run over 100,000 of them holds one batch:
/// <see cref="SiteDiscovery"/> reads each batch's files when it is asked for; <see cref="DiscoveredSites"/> has
/// them all in memory already.
/// </summary>
public interface ISiteSource
{
    /// <summary>The sites in order; enumerated once.</summary>
    IEnumerable<IReadOnlyList<Site>> Batches();

    /// <summary>About how many sites there are, for progress (the files that may be sites, before any is read).</summary>
    int ExpectedCount { get; }

    /// <summary>Files looked at that are not sites, with why; complete once every batch has been read.</summary>
    IReadOnlyList<SkippedFile> Skipped { get; }

    /// <summary>Files that could not be read; complete once every batch has been read.</summary>
    IReadOnlyList<StaplingException> Unreadable { get; }

    /// <summary>Throws, before anything is written, when two sites would export to one file name.</summary>
    void CheckExportNamesAreUnique();
}
