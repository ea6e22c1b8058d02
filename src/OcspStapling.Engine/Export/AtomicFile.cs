namespace OcspStapling.Engine.Export;

/// <summary>Replaces a file so that readers see the old bytes or the new bytes, never a mix or nothing.</summary>
public static class AtomicFile
{
    // Lets a test kill a writer between its temp write and its rename, the moment a crash would do harm.
    private static readonly int PauseBeforeRenameMs =
        int.TryParse(Environment.GetEnvironmentVariable("OCSPSTAPLE_TEST_PAUSE_BEFORE_RENAME_MS"), out var ms) ? ms : 0;

    /// <param name="durable">fsync before the rename, so a power cut cannot leave an empty file in place of the old one.
    /// Only files whose loss is harmless (the store's advisory sidecars) skip it.</param>
    public static void Write(string path, ReadOnlySpan<byte> content, bool durable = true)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        // Same directory, so the rename stays on one file system and is atomic (rename(2) / MoveFileEx).
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: durable);
            }
            if (PauseBeforeRenameMs > 0)
                Thread.Sleep(PauseBeforeRenameMs);
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a stray temp file is harmless, and the original error matters more.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
