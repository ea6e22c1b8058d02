namespace OcspStapling.Engine.Files;

/// <summary>
/// Directories this tool writes into (the store, export directories): created like `mkdir -p` with mode 0755
/// whatever the umask, and refused when another user could swap files in them, since the tool often runs as root
/// and would then write where that user points it.
/// </summary>
public static class SafeDirectory
{
    private const UnixFileMode Standard = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>Creates the directory when missing and checks who may write to it; throws <see cref="FileRefusedException"/>.</summary>
    public static void Prepare(string directory)
    {
        var full = Path.GetFullPath(directory);
        try
        {
            if (!PosixFiles.Supported)
            {
                Directory.CreateDirectory(full);
                return;
            }
            CreateMissing(full);
            var facts = PosixFiles.StatPath(full) ?? throw new FileRefusedException("it vanished while being created");
            if (facts.IsSymlink)
                facts = StatFollowing(full);
            if (!facts.IsDirectory)
                throw new FileRefusedException($"it is {facts.Kind}, not a directory");
            if (WhyUnsafe(facts) is { } why)
                throw new FileRefusedException(why);
            if (SafeAncestors.WhyUnsafe(full) is { } above)
                throw new FileRefusedException(above);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new FileRefusedException($"permission denied ({e.Message})", e);
        }
        catch (IOException e) when (e is not FileRefusedException)
        {
            throw new FileRefusedException(e.Message, e);
        }
    }

    /// <summary>
    /// Why this existing directory is no safe place to delete files in (itself or an ancestor others could swap),
    /// or null; what Prepare refuses, without creating anything.
    /// </summary>
    internal static string? WhyUnsafeToCleanUp(string directory)
    {
        if (!PosixFiles.Supported)
            return null;
        var full = Path.GetFullPath(directory);
        if (PosixFiles.StatPath(full) is not { } facts)
            return "it does not exist";
        if (facts.IsSymlink)
            facts = StatFollowing(full);
        return WhyUnsafe(facts) ?? SafeAncestors.WhyUnsafe(full);
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static void CreateMissing(string full)
    {
        var missing = new Stack<string>();
        for (var at = full; at != null && !Directory.Exists(at); at = Path.GetDirectoryName(at))
        {
            if (File.Exists(at))
                throw new FileRefusedException($"'{at}' is a file, not a directory"); // named: the caller may be writing a file inside it
            missing.Push(at);
        }
        while (missing.TryPop(out var next))
        {
            Directory.CreateDirectory(next);
            File.SetUnixFileMode(next, Standard); // mkdir applied the umask; say exactly what we mean
        }
    }

    private static FileFacts StatFollowing(string path)
    {
        using var handle = PosixFiles.Open(path, PosixFiles.ReadOnly | PosixFiles.NonBlocking);
        return PosixFiles.Stat(handle);
    }

    private static string? WhyUnsafe(FileFacts facts)
    {
        var me = PosixFiles.EffectiveUid;
        if (facts.Uid != me && facts.Uid != 0)
            return $"it belongs to another user (uid {facts.Uid}), who could replace what is written there; use a directory owned by you or root";
        if ((facts.Permissions & 0b000_000_010) != 0)
            return $"it is writable by every user (mode {Convert.ToString(facts.Permissions, 8)}), who could replace what is written there; run 'chmod o-w' on it or use another directory";
        if ((facts.Permissions & 0b000_010_000) != 0 && facts.Gid != PosixFiles.EffectiveGid && me == 0)
            return $"it is writable by group {facts.Gid} (mode {Convert.ToString(facts.Permissions, 8)}), whose members could replace what root writes there; run 'chmod g-w' on it or use another directory";
        return null;
    }
}
