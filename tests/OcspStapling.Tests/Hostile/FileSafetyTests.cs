using System.Security.Cryptography;
using OcspStapling.Cli;
using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Store;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Hostile;

/// <summary>
/// What the tool writes, often as root, in directories others may reach: links are replaced or refused, never
/// written through; special files are never replaced; modes are what the docs say whatever the umask.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FileSafetyTests : IClassFixture<LabResponderFixture>
{
    private const UnixFileMode Mode644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private readonly LabResponderFixture _lab;

    public FileSafetyTests(LabResponderFixture lab) => _lab = lab;

    private (string Cert, string Store, string Thumbprint) Site(string name)
    {
        var cert = _lab.GoodLeaf(name + ".example.test");
        var thumbprint = CertificateFile.Load(cert).Leaf.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant();
        return (cert, Path.Combine(_lab.Directory.Path, name + "-store"), thumbprint);
    }

    [Fact]
    public async Task A_link_planted_as_the_sidecar_spare_does_not_make_update_write_through_it()
    {
        var (cert, store, thumbprint) = Site("spare");
        Assert.Equal(0, (await CliRunner.RunAsync("update", cert, "--store", store)).ExitCode);
        var victim = Path.Combine(_lab.Directory.Path, "spare-victim.txt");
        File.WriteAllText(victim, "precious");
        File.CreateSymbolicLink(Path.Combine(store, $".{thumbprint}.json.spare"), victim);

        var outcome = await CliRunner.RunAsync("update", cert, "--store", store, "--force");

        Assert.True(outcome.ExitCode == ExitCodes.Good, outcome.ToString());
        Assert.Equal("precious", File.ReadAllText(victim));
        Assert.NotNull(new StapleStore(store).Read(thumbprint)?.Metadata);
    }

    [Fact]
    public async Task A_link_planted_as_the_lock_file_is_not_followed_and_fails_only_its_site()
    {
        var (cert, store, thumbprint) = Site("locklink");
        Directory.CreateDirectory(store);
        var victim = Path.Combine(_lab.Directory.Path, "locklink-created-by-root");
        File.CreateSymbolicLink(Path.Combine(store, thumbprint + ".lock"), victim);

        var outcome = await CliRunner.RunAsync("update", cert, "--store", store);

        Assert.True(outcome.ExitCode == ExitCodes.ResponderFailed, outcome.ToString());
        Assert.Contains("Cannot lock the store entry", outcome.StdOut);
        Assert.False(File.Exists(victim));
    }

    [Fact]
    public async Task An_export_target_that_is_a_link_is_replaced_by_a_file_and_its_target_left_alone()
    {
        var (cert, _, _) = Site("exportlink");
        var dir = Path.GetDirectoryName(cert)!;
        var victim = Path.Combine(dir, "victim.txt");
        File.WriteAllText(victim, "precious");
        var target = Path.Combine(dir, "site.ocsp");
        File.CreateSymbolicLink(target, victim);

        var outcome = await CliRunner.RunAsync("export", cert, "--out", target);

        Assert.True(outcome.ExitCode == ExitCodes.Good, outcome.ToString());
        Assert.Equal("precious", File.ReadAllText(victim));
        Assert.Null(new FileInfo(target).LinkTarget);
        Assert.Equal(Mode644, File.GetUnixFileMode(target));
    }

    [Fact]
    public async Task An_export_target_that_is_a_fifo_is_refused_and_left_a_fifo()
    {
        var (cert, _, _) = Site("exportfifo");
        var target = Path.Combine(Path.GetDirectoryName(cert)!, "site.ocsp");
        Assert.Equal(0, (await ProcessRunner.RunAsync("mkfifo", new[] { target })).ExitCode);

        var outcome = await CliRunner.RunAsync("export", cert, "--out", target);

        Assert.True(outcome.ExitCode == ExitCodes.Usage, outcome.ToString());
        Assert.Contains("it is a FIFO (named pipe); only regular files are replaced", outcome.StdErr);
        Assert.Contains("p", (await ProcessRunner.RunAsync("stat", new[] { "-c", "%A", target })).StdOut[..1]);
    }

    [Fact]
    public async Task A_store_every_user_can_write_to_is_refused_with_the_fix()
    {
        var (cert, store, _) = Site("worldwritable");
        Directory.CreateDirectory(store);
        File.SetUnixFileMode(store, (UnixFileMode)0b111_111_111);

        var outcome = await CliRunner.RunAsync("update", cert, "--store", store);

        Assert.True(outcome.ExitCode == ExitCodes.Usage, outcome.ToString());
        Assert.Contains("writable by every user (mode 777)", outcome.StdErr);
        Assert.Contains("chmod o-w", outcome.StdErr);
        Assert.Empty(Directory.GetFiles(store));
    }

    [Fact]
    public async Task Under_umask_000_the_store_is_0755_and_staples_and_sidecars_0644()
    {
        var (cert, store, thumbprint) = Site("umask");
        var export = Path.Combine(_lab.Directory.Path, "umask-export");
        var program = Path.Combine(AppContext.BaseDirectory, "ocspstaple");

        var run = await ProcessRunner.RunAsync("/bin/sh", new[] { "-c", $"umask 000; exec '{program}' update '{cert}' --store '{store}' --export-dir '{export}'" });

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(store));
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(export));
        Assert.Equal(Mode644, File.GetUnixFileMode(Path.Combine(store, thumbprint + ".der")));
        Assert.Equal(Mode644, File.GetUnixFileMode(Path.Combine(store, thumbprint + ".json")));
        Assert.Equal(Mode644, File.GetUnixFileMode(Path.Combine(export, "fullchain.pem.ocsp")));
    }

    [Fact]
    public async Task Replacing_a_staple_keeps_the_mode_the_administrator_gave_it()
    {
        var (cert, _, _) = Site("keepmode");
        var target = Path.Combine(Path.GetDirectoryName(cert)!, "site.ocsp");
        Assert.Equal(0, (await CliRunner.RunAsync("export", cert, "--out", target)).ExitCode);
        var restricted = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        File.SetUnixFileMode(target, restricted);

        Assert.Equal(0, (await CliRunner.RunAsync("export", cert, "--out", target)).ExitCode);

        Assert.Equal(restricted, File.GetUnixFileMode(target));
    }

    [Fact]
    public async Task Temporaries_left_by_a_killed_writer_are_removed_by_the_next_run_and_fresh_ones_kept()
    {
        var (cert, store, thumbprint) = Site("stale");
        Assert.Equal(0, (await CliRunner.RunAsync("update", cert, "--store", store)).ExitCode);
        var stale = Path.Combine(store, $".{thumbprint}.der.4242.0123456789abcdef.tmp");
        var fresh = Path.Combine(store, $".{thumbprint}.der.4243.fedcba9876543210.tmp");
        File.WriteAllText(stale, "half a staple");
        File.WriteAllText(fresh, "a writer at work");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-1));

        Assert.Equal(0, (await CliRunner.RunAsync("update", cert, "--store", store)).ExitCode);

        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh));
    }

    [Fact(Timeout = 30_000)]
    public async Task An_entry_whose_lock_cannot_be_opened_fails_at_once_instead_of_waiting_out_the_lock_timeout()
    {
        var (cert, store, thumbprint) = Site("unlockable");
        Directory.CreateDirectory(Path.Combine(store, thumbprint + ".lock"));

        var outcome = await CliRunner.RunAsync("update", cert, "--store", store, "--json");

        Assert.True(outcome.ExitCode == ExitCodes.ResponderFailed, outcome.ToString());
        Assert.Contains("Cannot lock the store entry", outcome.Sites[0].GetProperty("reason").GetString());
    }
}
