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

    /// <summary>
    /// Replaces a small file that is rewritten often by the same (locked) writer, without allocating an inode per
    /// write: the content goes into a spare file beside it, which is then exchanged with the target in one atomic
    /// step (renameat2 RENAME_EXCHANGE); the old content becomes the next spare. Readers see old or new, never a mix,
    /// unless they hold the old file open across two later writes, so only advisory files whose damage is detected
    /// (the store's hash-checked sidecars) use it. Elsewhere, or where the exchange is unsupported, it falls back to
    /// <see cref="Write"/>.
    /// </summary>
    /// <remarks>ext4 spends most of a bulk refresh allocating and freeing inodes otherwise (see bench/RESULTS.md).</remarks>
    public static void WriteViaSpare(string path, ReadOnlySpan<byte> content)
    {
        var full = Path.GetFullPath(path);
        if (!OperatingSystem.IsLinux() || !File.Exists(full))
        {
            Write(full, content, durable: false);
            return;
        }
        var spare = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.spare");
        using (var stream = new FileStream(spare, FileMode.OpenOrCreate, FileAccess.Write, FileShare.None))
        {
            stream.SetLength(0);
            stream.Write(content);
        }
        if (RenameExchange(spare, full) != 0)
        {
            File.Delete(spare);
            Write(full, content, durable: false);
        }
    }

    private const int CurrentDirectory = -100; // AT_FDCWD
    private const uint Exchange = 2; // RENAME_EXCHANGE

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "renameat2", SetLastError = true)]
    private static extern int RenameAt2(int oldDirectory, string oldPath, int newDirectory, string newPath, uint flags);

    private static int RenameExchange(string a, string b)
    {
        try
        {
            return RenameAt2(CurrentDirectory, a, CurrentDirectory, b, Exchange);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return -1;
        }
    }
}
