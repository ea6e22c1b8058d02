using System.Net.Sockets;
using System.Text;
using OcspStapling.Cli;
using OcspStapling.Engine.Export;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Hostile;

/// <summary>
/// Deliveries never abort a run: a missing export directory is created, and an unusable one, a missing, silent or
/// flooding HAProxy socket and a failing reload each mark only the sites they concern, with every summary printed.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DeliveryFailureTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public DeliveryFailureTests(LabResponderFixture lab) => _lab = lab;

    private string Sites(string name, int count) => _lab.SiteDirectory(name, count);

    [Fact]
    public async Task A_missing_export_directory_is_created_0755_and_filled()
    {
        var sites = Sites("mkdirp", 2);
        var export = Path.Combine(_lab.Directory.Path, "mkdirp-out", "etc", "nginx", "ocsp");

        var outcome = await CliRunner.RunAsync("update", sites, "--store", Path.Combine(_lab.Directory.Path, "mkdirp-store"), "--export-dir", export);

        Assert.True(outcome.ExitCode == ExitCodes.Good, outcome.ToString());
        Assert.Equal(new[] { "site0.pem.ocsp", "site1.pem.ocsp" }, Directory.GetFiles(export).Select(Path.GetFileName).Order());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherExecute, File.GetUnixFileMode(export));
    }

    [Fact]
    public async Task An_unusable_export_directory_fails_its_sites_but_every_summary_is_printed_and_the_store_is_updated()
    {
        var sites = Sites("badexport", 2);
        var blocker = Path.Combine(_lab.Directory.Path, "badexport-file");
        File.WriteAllText(blocker, "a file where a directory should be");
        var store = Path.Combine(_lab.Directory.Path, "badexport-store");

        var outcome = await CliRunner.RunAsync("update", sites, "--store", store, "--export-dir", Path.Combine(blocker, "ocsp"), "--json");

        Assert.True(outcome.ExitCode == ExitCodes.NotGood, outcome.ToString());
        var summaries = outcome.Sites.ToList();
        Assert.Equal(2, summaries.Count);
        Assert.All(summaries, s =>
        {
            Assert.Equal("refreshed", s.GetProperty("outcome").GetString());
            Assert.Equal("undelivered", s.GetProperty("state").GetString());
            Assert.True(s.GetProperty("hasValidStaple").GetBoolean());
            Assert.Contains("Cannot write staple file", s.GetProperty("deliveryProblem").GetString());
        });
        Assert.Equal(2, Directory.GetFiles(store, "*.der").Length);
        Assert.DoesNotContain("   at ", outcome.StdErr);
    }

    [FullDiskFact]
    public async Task A_full_disk_fails_only_the_export_and_every_summary_is_printed()
    {
        var sites = Sites("fulldisk", 2);
        var store = Path.Combine(_lab.Directory.Path, "fulldisk-store");
        using var disk = SmallDisk.MountFull(Path.Combine(_lab.Directory.Path, "fulldisk-export"));

        var outcome = await CliRunner.RunAsync("update", sites, "--store", store, "--export-dir", disk.Path, "--json");

        Assert.True(outcome.ExitCode == ExitCodes.NotGood, outcome.ToString());
        var summaries = outcome.Sites.ToList();
        Assert.Equal(2, summaries.Count);
        Assert.All(summaries, s => Assert.Contains("No space left on device", s.GetProperty("deliveryProblem").GetString()));
        Assert.Equal(2, Directory.GetFiles(store, "*.der").Length);
        Assert.Empty(Directory.GetFiles(disk.Path, "*.ocsp*"));
        Assert.Empty(Directory.GetFiles(disk.Path, ".*.tmp"));
    }

    [Fact]
    public async Task A_missing_haproxy_socket_and_a_failing_reload_keep_every_summary()
    {
        var sites = Sites("pushreload", 3);
        var outcome = await CliRunner.RunAsync("update", sites, "--store", Path.Combine(_lab.Directory.Path, "pushreload-store"),
            "--haproxy-socket", Path.Combine(_lab.Directory.Path, "no-such.sock"), "--reload", "echo reload broke >&2; exit 7", "--json");

        Assert.True(outcome.ExitCode == ExitCodes.NotGood, outcome.ToString());
        var summaries = outcome.Sites.ToList();
        Assert.Equal(3, summaries.Count);
        Assert.All(summaries, s =>
        {
            var problem = s.GetProperty("deliveryProblem").GetString()!;
            Assert.Contains("Cannot talk to HAProxy's admin socket", problem);
            Assert.Contains("failed with exit code 7: reload broke", problem);
        });
    }

    [Fact]
    public async Task A_silent_haproxy_socket_is_given_up_on_once_not_once_per_certificate()
    {
        var sites = Sites("silent", 8);
        using var dir = new TempDirectory();
        var path = dir.File("admin.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.Listen(64);
        var connections = 0;
        var held = new List<Socket>();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                held.Add(await socket.AcceptAsync());
                Interlocked.Increment(ref connections);
            }
        });

        var outcome = await CliRunner.RunAsync("update", sites, "--store", Path.Combine(_lab.Directory.Path, "silent-store"), "--haproxy-socket", path, "--json");

        Assert.True(outcome.ExitCode == ExitCodes.NotGood, outcome.ToString());
        Assert.All(outcome.Sites, s => Assert.Contains("no answer within 5 s", s.GetProperty("deliveryProblem").GetString()));
        // Four pushes at a time wait out one timeout together; the other four are not tried.
        Assert.InRange(Volatile.Read(ref connections), 1, 4);
    }

    [Fact]
    public async Task A_flooding_haproxy_socket_is_cut_off_at_the_reply_cap()
    {
        using var dir = new TempDirectory();
        var path = dir.File("flood.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.Listen(4);
        _ = Task.Run(async () =>
        {
            using var client = await socket.AcceptAsync();
            var chunk = Encoding.ASCII.GetBytes(new string('x', 64 * 1024));
            try
            {
                while (true)
                    await client.SendAsync(chunk);
            }
            catch (SocketException)
            {
            }
        });

        var failure = await Assert.ThrowsAsync<Engine.StaplingException>(() => HaproxyRuntimeApi.PushAsync(path, new byte[] { 0x30, 0 }, TimeSpan.FromSeconds(30), default));

        // Refused on the capped reply, not by the 30-second timeout after reading without end.
        Assert.Contains("HAProxy did not take the staple: 'xxxx", failure.Message);
    }

    [Fact]
    public async Task The_reload_command_gets_no_stdin_and_not_the_password_variable()
    {
        var sites = Sites("reloadenv", 1);
        using var dir = new TempDirectory();
        Environment.SetEnvironmentVariable("OCSPSTAPLE_TEST_PFX_SECRET", "hunter2");
        Environment.SetEnvironmentVariable("OCSPSTAPLE_TEST_VISIBLE", "shown");
        var reload = $"cat > '{dir.File("stdin")}'; env > '{dir.File("env")}'";

        var outcome = await CliRunner.RunAsync("update", sites, "--store", Path.Combine(_lab.Directory.Path, "reloadenv-store"),
            "--password-env", "OCSPSTAPLE_TEST_PFX_SECRET", "--reload", reload);

        Assert.True(outcome.ExitCode == ExitCodes.Good, outcome.ToString());
        Assert.Equal("", File.ReadAllText(dir.File("stdin")));
        var environment = File.ReadAllText(dir.File("env"));
        Assert.Contains("OCSPSTAPLE_TEST_VISIBLE=shown", environment);
        Assert.DoesNotContain("hunter2", environment);
    }

    [Fact]
    public async Task Damaged_certificate_files_in_a_directory_are_reported_and_set_the_exit_code_while_keys_are_skipped()
    {
        var sites = Sites("damaged", 1);
        File.WriteAllText(Path.Combine(sites, "empty.pem"), "");
        File.WriteAllBytes(Path.Combine(sites, "garbage.crt"), new byte[] { 1, 2, 3, 4, 5 });
        File.WriteAllText(Path.Combine(sites, "privkey.pem"), _lab.Pki.LeafKeyPem());
        var fifo = Path.Combine(sites, "pipe.pem");
        Assert.Equal(0, (await ProcessRunner.RunAsync("mkfifo", new[] { fifo })).ExitCode);

        var outcome = await CliRunner.RunAsync("update", sites, "--store", Path.Combine(_lab.Directory.Path, "damaged-store"), "--json");

        Assert.True(outcome.ExitCode == ExitCodes.ResponderFailed, outcome.ToString());
        var byFile = outcome.Sites.ToDictionary(s => Path.GetFileName(s.GetProperty("certificate").GetString()!), s => s);
        Assert.Equal(new[] { "empty.pem", "garbage.crt", "pipe.pem", "site0.pem" }, byFile.Keys.Order());
        Assert.Contains("the file is empty", byFile["empty.pem"].GetProperty("reason").GetString());
        Assert.Contains("FIFO", byFile["pipe.pem"].GetProperty("reason").GetString());
        Assert.Equal("unreadable", byFile["garbage.crt"].GetProperty("outcome").GetString());
        Assert.Equal("refreshed", byFile["site0.pem"].GetProperty("outcome").GetString());
    }

    [Theory]
    [InlineData("/dev/zero", "character device")]
    [InlineData("/dev/null", "character device")]
    public async Task A_device_given_as_a_trusted_file_is_refused_at_once(string device, string named)
    {
        var cert = Path.Combine(Path.GetDirectoryName(_lab.GoodLeaf("device.example.test"))!, "leaf.pem");

        var outcome = await CliRunner.RunAsync("get", cert, "--trusted", device);

        Assert.True(outcome.ExitCode == ExitCodes.Usage, outcome.ToString());
        Assert.Contains(named, outcome.StdErr);
    }
}
