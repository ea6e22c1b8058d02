using OcspStapling.Engine.Export;

namespace OcspStapling.Engine.Files;

/// <summary>Removes temporaries that a writer killed between write and rename left behind.</summary>
public static class StaleTemporaries
{
    /// <summary>A live writer renames its temporary within milliseconds; one this old was abandoned.</summary>
    public static readonly TimeSpan Age = TimeSpan.FromMinutes(10);

    /// <summary>Best effort: returns how many were removed; a directory that cannot be listed is left alone.</summary>
    public static int Clean(string directory)
    {
        var removed = 0;
        var cutoff = DateTime.UtcNow - Age;
        try
        {
            // Issue 23: root deleting '.*.tmp' in a directory another user could swap for a link deletes where they point.
            if (SafeDirectory.WhyUnsafeToCleanUp(directory) != null)
                return 0;
            foreach (var file in new DirectoryInfo(directory).EnumerateFiles("." + "*" + AtomicFile.TemporarySuffix))
            {
                if (file.LinkTarget != null || file.LastWriteTimeUtc > cutoff)
                    continue;
                file.Delete();
                removed++;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The next run tries again; a stray temporary harms nothing meanwhile.
        }
        return removed;
    }
}
