using OcspStapling.Engine.Files;

namespace OcspStapling.Engine.Export;

/// <summary>Replaces a file so that readers see the old bytes or the new bytes, never a mix or nothing.</summary>
public static class AtomicFile
{
    // Lets a test kill a writer between its temp write and its rename, the moment a crash would do harm.
    private static readonly int PauseBeforeRenameMs =
        int.TryParse(Environment.GetEnvironmentVariable("OCSPSTAPLE_TEST_PAUSE_BEFORE_RENAME_MS"), out var ms) ? ms : 0;

    /// <param name="durable">fsync before the rename, so a power cut cannot leave an empty file in place of the old one.
    /// Only files whose loss is harmless (the store's advisory sidecars) skip it.</param>
    /// <remarks>
    /// The temporary is created exclusively (O_EXCL never follows a planted link); the rename replaces a link at the
    /// target rather than writing through it; a target that is neither a regular file nor a link (a device, a FIFO)
    /// is refused. The new file keeps the old one's mode and, when root replaces it, its owner; a new one is 0644.
    /// </remarks>
    public static void Write(string path, byte[] content, bool durable = true) =>
        Write(path, stream => stream.Write(content), durable);

    /// <summary>As <see cref="Write(string, byte[], bool)"/>, with the content written by <paramref name="fill"/> (large files, written as they are made); it must not close the stream.</summary>
    public static void Write(string path, Action<Stream> fill, bool durable = true)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        var existing = PosixFiles.Supported ? PosixFiles.StatPath(full) : null;
        if (existing is { IsRegular: false, IsSymlink: false } other)
            throw new FileRefusedException($"it is {other.Kind}; only regular files are replaced");
        var keep = existing is { IsRegular: true } previous ? previous : (FileFacts?)null;
        // Same directory, so the rename stays on one file system and is atomic (rename(2) / MoveFileEx).
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}{TemporarySuffix}");
        try
        {
            using (var handle = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                if (PosixFiles.Supported)
                    TakeOver(handle, keep);
                using var stream = new FileStream(handle, FileAccess.Write, bufferSize: 0); // callers writing in pieces buffer their own
                fill(stream);
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

    /// <summary>Names of temporaries end so; a writer killed mid-write leaves one, which <see cref="StaleTemporaries"/> removes.</summary>
    public const string TemporarySuffix = ".tmp";

    // Mode exactly as meant (mkdir and open applied the umask), and the owner the replaced file had.
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static void TakeOver(Microsoft.Win32.SafeHandles.SafeFileHandle handle, FileFacts? previous)
    {
        // The old permission bits, never set-user/group-id or sticky: a staple is data.
        File.SetUnixFileMode(handle, previous is { } p ? (UnixFileMode)(p.Permissions & 0x1FF) : StapleFileMode);
        if (previous is { } old && PosixFiles.EffectiveUid == 0 && (old.Uid != 0 || old.Gid != 0))
            PosixFiles.ChangeOwner(handle, old.Uid, old.Gid);
    }

    /// <summary>0644: staples and sidecars are public data that servers running as other users must read.</summary>
    public const UnixFileMode StapleFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

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
            Write(full, content.ToArray(), durable: false); // a first write, or no exchange on this system
            return;
        }
        var spare = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.spare");
        if (!TryFillSpare(spare, content) || RenameExchange(spare, full) != 0)
        {
            TryDelete(spare);
            Write(full, content.ToArray(), durable: false); // the spare was unusable: the plain atomic write
        }
    }

    // The spare is reused, so it is opened without following links and must be our own plain file with one name:
    // anything else in its place (planted by another user) is deleted and the plain atomic write used instead.
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static bool TryFillSpare(string spare, ReadOnlySpan<byte> content)
    {
        Microsoft.Win32.SafeHandles.SafeFileHandle handle;
        try
        {
            handle = PosixFiles.Open(spare, PosixFiles.WriteOnly | PosixFiles.Create | PosixFiles.NoFollow, (uint)StapleFileMode);
        }
        catch (IOException)
        {
            return false;
        }
        using (handle)
        {
            var facts = PosixFiles.Stat(handle);
            if (!facts.IsRegular || facts.Links != 1 || facts.Uid != PosixFiles.EffectiveUid)
                return false;
            File.SetUnixFileMode(handle, StapleFileMode);
            using var stream = new FileStream(handle, FileAccess.Write);
            stream.SetLength(0);
            stream.Write(content);
        }
        return true;
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
