using OcspStapling.Cli;
using OcspStapling.Engine.Files;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Hostile;

/// <summary>
/// Issue 23 item 3: a user who owns (or may write) a parent of a directory this tool writes into could swap that
/// directory for a link, and root would then write and delete wherever it points. Such parents are refused by name,
/// root-owned sticky ones (as /tmp) excepted, and stale temporaries are not cleaned below them. These tests chown to
/// another user, so they need root (as CI runs); elsewhere they check nothing.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SafeAncestorTests : IClassFixture<LabResponderFixture>
{
    private const int OtherUser = 4242;
    private readonly LabResponderFixture _lab;

    public SafeAncestorTests(LabResponderFixture lab) => _lab = lab;

    [Fact]
    public async Task An_export_below_a_directory_another_user_owns_is_refused_naming_that_directory()
    {
        if (PosixFiles.EffectiveUid != 0)
            return;
        using var dir = new TempDirectory();
        var theirs = Directory.CreateDirectory(Path.Combine(dir.Path, "theirs")).FullName;
        var exports = Directory.CreateDirectory(Path.Combine(theirs, "exports")).FullName;
        await ChownAsync(theirs, OtherUser);

        var outcome = await CliRunner.RunAsync("export", _lab.GoodLeaf("ancestor-owned.example.test"), "-o", Path.Combine(exports, "site.der"));

        Assert.NotEqual(ExitCodes.Good, outcome.ExitCode);
        Assert.Contains($"its parent directory '{theirs}' belongs to another user (uid {OtherUser})", outcome.StdErr);
        Assert.Empty(Directory.GetFiles(exports));
    }

    [Fact]
    public async Task An_export_below_a_group_writable_directory_is_refused_and_below_a_root_sticky_one_allowed()
    {
        if (PosixFiles.EffectiveUid != 0)
            return;
        using var dir = new TempDirectory();
        var shared = Directory.CreateDirectory(Path.Combine(dir.Path, "shared")).FullName;
        File.SetUnixFileMode(shared, (UnixFileMode)0b111_111_101);
        var cert = _lab.GoodLeaf("ancestor-mode.example.test");

        var refused = await CliRunner.RunAsync("export", cert, "-o", Path.Combine(shared, "exports", "site.der"));
        Assert.Contains($"its parent directory '{shared}' is writable by others than its owner (mode 775)", refused.StdErr);
        Assert.Contains("chmod go-w", refused.StdErr);

        File.SetUnixFileMode(shared, (UnixFileMode)0b1_111_111_111); // 1777, owned by root: as /tmp
        var allowed = await CliRunner.RunAsync("export", cert, "-o", Path.Combine(shared, "exports", "site.der"));
        Assert.True(allowed.ExitCode == ExitCodes.Good, allowed.ToString());
    }

    [Fact]
    public async Task A_link_swapped_in_below_another_users_directory_is_refused_where_it_leads_too()
    {
        if (PosixFiles.EffectiveUid != 0)
            return;
        using var dir = new TempDirectory();
        var theirs = Directory.CreateDirectory(Path.Combine(dir.Path, "theirs")).FullName;
        var target = Directory.CreateDirectory(Path.Combine(theirs, "victim")).FullName;
        await ChownAsync(theirs, OtherUser);
        var mine = Directory.CreateDirectory(Path.Combine(dir.Path, "mine")).FullName;
        var link = Path.Combine(mine, "exports");
        Directory.CreateSymbolicLink(link, target);

        var outcome = await CliRunner.RunAsync("export", _lab.GoodLeaf("ancestor-link.example.test"), "-o", Path.Combine(link, "site.der"));

        Assert.Contains($"its parent directory '{theirs}' belongs to another user (uid {OtherUser})", outcome.StdErr);
        Assert.Empty(Directory.GetFiles(target));
    }

    [Fact]
    public async Task Stale_temporaries_below_another_users_directory_are_left_alone()
    {
        if (PosixFiles.EffectiveUid != 0)
            return;
        using var dir = new TempDirectory();
        var theirs = Directory.CreateDirectory(Path.Combine(dir.Path, "theirs")).FullName;
        var exports = Directory.CreateDirectory(Path.Combine(theirs, "exports")).FullName;
        var stale = Path.Combine(exports, ".site.der.1.0123456789abcdef.tmp");
        File.WriteAllText(stale, "someone's file");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-1));
        await ChownAsync(theirs, OtherUser);

        Assert.Equal(0, StaleTemporaries.Clean(exports));
        Assert.True(File.Exists(stale));

        await ChownAsync(theirs, 0);
        Assert.Equal(1, StaleTemporaries.Clean(exports)); // the same directory, once only root can swap it
        Assert.False(File.Exists(stale));
    }

    private static async Task ChownAsync(string path, int uid)
    {
        var result = await ProcessRunner.RunAsync("chown", new[] { uid.ToString(), path });
        Assert.True(result.ExitCode == 0, result.All);
    }
}
