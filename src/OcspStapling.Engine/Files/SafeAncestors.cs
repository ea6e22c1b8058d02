namespace OcspStapling.Engine.Files;

/// <summary>
/// Every directory above one this tool writes into, checked: whoever can write an ancestor can swap what lies below
/// it for a link, and root would then write (and delete stale temporaries) wherever that user points. An ancestor is
/// safe when owned by root or the running user and writable by neither group nor others; a root-owned sticky
/// directory (/tmp) is safe too, since others cannot rename or remove what they do not own in it.
/// </summary>
/// <remarks>
/// Both the path as given and its resolved form are walked: a link on the way is as safe as the directory holding it
/// (walked), and where it leads is walked through the resolved path.
/// </remarks>
internal static class SafeAncestors
{
    private const uint GroupOrOtherWrite = 0b000_010_010;
    private const uint Sticky = 0b001_000_000_000;

    /// <summary>Null when every ancestor of <paramref name="directory"/> (an absolute path) is safe; otherwise which is not and why.</summary>
    public static string? WhyUnsafe(string directory)
    {
        var resolved = Resolve(directory);
        foreach (var path in new[] { directory, resolved }.Distinct())
        {
            for (var at = Path.GetDirectoryName(path); at != null; at = Path.GetDirectoryName(at))
            {
                if (PosixFiles.StatPath(at) is not { } facts || facts.IsSymlink)
                    continue; // a link: its own directory is the next one walked
                if (Why(facts) is { } why)
                    return $"its parent directory '{at}' {why}";
            }
        }
        return null;
    }

    private static string? Why(FileFacts facts)
    {
        if (facts.Uid != 0 && facts.Uid != PosixFiles.EffectiveUid)
            return $"belongs to another user (uid {facts.Uid}), who could swap what lies below it for a link; use a path whose every directory is owned by you or root";
        if ((facts.Permissions & GroupOrOtherWrite) != 0 && !(facts.Uid == 0 && (facts.Permissions & Sticky) != 0))
            return $"is writable by others than its owner (mode {Convert.ToString(facts.Permissions, 8)}), who could swap what lies below it for a link; run 'chmod go-w' on it or use another path";
        return null;
    }

    // The path with every link on the way resolved, as the kernel walks it: component by component from the root.
    private static string Resolve(string path)
    {
        var resolved = Path.GetPathRoot(path) ?? "/";
        foreach (var part in path[resolved.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(resolved, part);
            var target = PosixFiles.StatPath(next) is { IsSymlink: true } ? new FileInfo(next).ResolveLinkTarget(returnFinalTarget: true)?.FullName : null;
            resolved = target ?? next;
        }
        return resolved;
    }
}
