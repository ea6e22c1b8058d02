using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using OcspStapling.Cli;
using OcspStapling.Commands;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Hostile;

/// <summary>
/// One error boundary per front end: whatever fails unexpectedly inside a command becomes one line and exit 4 from
/// the CLI, and a per-record "&lt;Cmdlet&gt;Internal" error from a cmdlet, never a stack trace or a dead pipeline.
/// </summary>
public sealed class ErrorBoundaryTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public ErrorBoundaryTests(LabResponderFixture lab) => _lab = lab;

    public static TheoryData<string[]> EveryCommand => new()
    {
        new[] { "get", "missing.pem" },
        new[] { "test", "missing.der", "--cert", "missing.pem" },
        new[] { "export", "missing.pem", "--out", "x.der" },
        new[] { "update", "missing.pem" },
        new[] { "listen", "--cert", "missing.pem", "--port", "0" },
        new[] { "demo" },
    };

    [Theory]
    [MemberData(nameof(EveryCommand))]
    public async Task An_unexpected_failure_in_any_command_is_one_line_and_exit_4(string[] args)
    {
        var reached = false;
        CliContext.FaultInjection.Value = () =>
        {
            reached = true;
            throw new InvalidOperationException("injected fault");
        };
        try
        {
            var outcome = await CliRunner.RunAsync(args);

            Assert.True(reached, $"'{args[0]}' does not run inside the error boundary");
            Assert.True(outcome.ExitCode == ExitCodes.Internal, outcome.ToString());
            Assert.Equal("ocspstaple: internal error: InvalidOperationException: injected fault (this is a bug; please report it with the command line)", outcome.StdErr.Trim());
        }
        finally
        {
            CliContext.FaultInjection.Value = null;
        }
    }

    public static TheoryData<string> CmdletsThatCallTheEngine => new()
    {
        nameof(GetOcspResponseCommand),
        nameof(TestOcspStapleCommand),
        nameof(ExportOcspStapleFileCommand),
        nameof(UpdateOcspStapleCommand),
        nameof(StartStaplingListenerCommand),
        nameof(StopStaplingListenerCommand),
    };

    [Theory]
    [MemberData(nameof(CmdletsThatCallTheEngine))]
    public void An_unexpected_failure_in_a_cmdlet_stays_a_per_record_error(string cmdlet)
    {
        var type = typeof(OcspCmdlet).Assembly.GetType("OcspStapling.Commands." + cmdlet)!;
        var instance = Activator.CreateInstance(type)!;
        // One record to work on, whichever parameter set the facade (which binds nothing) leaves chosen.
        if (instance is StopStaplingListenerCommand stop)
            stop.InputObject = new[] { (StaplingListenerInfo)null! };
        if (instance is GetOcspResponseCommand get)
            get.Path = new[] { "missing.pem" };
        var reached = 0;
        OcspCmdlet.FaultInjection.Value = () =>
        {
            reached++;
            throw new InvalidOperationException("injected fault");
        };
        try
        {
            // PowerShell's facade here writes nothing, so what is proven is that the failure does not escape.
            type.GetMethod("ProcessRecord", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!.Invoke(instance, null);
        }
        finally
        {
            OcspCmdlet.FaultInjection.Value = null;
        }
        Assert.True(reached > 0, $"{cmdlet}.ProcessRecord does not run its work inside OcspCmdlet.ForRecord");
        Assert.Equal("Internal", OcspCmdlet.InternalErrorSuffix);
    }

    [Theory]
    [InlineData("--timeout", "NaN", "--timeout must be a number of seconds")]
    [InlineData("--timeout", "999999999999", "--timeout must be a number of seconds")]
    [InlineData("--host-header", "ocsp.example\r\nX-Injected: 1", "--host-header 'ocsp.example\\n")]
    public async Task Nonsense_option_values_are_one_line_and_exit_2(string option, string value, string expected)
    {
        using var dir = new TempDirectory();
        var outcome = await CliRunner.RunAsync("get", dir.File("any.pem"), option, value);

        Assert.True(outcome.ExitCode == ExitCodes.Usage, outcome.ToString());
        Assert.Contains(expected, outcome.StdErr);
        Assert.Single(outcome.StdErr.Trim().Split('\n'));
    }

    [Fact]
    public async Task A_file_that_is_no_certificate_is_one_line_ending_in_one_full_stop()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("notes.pem"), "not a certificate");
        var outcome = await CliRunner.RunAsync("get", dir.File("notes.pem"));

        Assert.True(outcome.ExitCode == ExitCodes.Usage, outcome.ToString());
        Assert.StartsWith($"ocspstaple: Cannot read certificate '{dir.File("notes.pem")}':", outcome.StdErr);
        Assert.EndsWith(".", outcome.StdErr.Trim());
        Assert.DoesNotContain("..", outcome.StdErr);
    }

    public static TheoryData<string> CommandsThatWaitOnTheNetwork => new() { "test --host", "get", "export", "update" };

    [Theory]
    [MemberData(nameof(CommandsThatWaitOnTheNetwork))]
    public async Task Sigterm_ends_a_command_waiting_on_a_silent_peer_within_two_seconds_with_exit_143(string command)
    {
        using var silent = new SilentServer();
        using var dir = new TempDirectory();
        var port = silent.Port;
        var silentResponder = new[] { "--responder", $"http://127.0.0.1:{port}/", "--timeout", "120" };
        var cert = _lab.GoodLeaf("sigterm-" + command.Replace(" --", "-") + ".example.test");
        var args = command switch
        {
            "test --host" => new[] { "test", "--host", $"127.0.0.1:{port}", "--timeout", "120" },
            "get" => new[] { "get", cert }.Concat(silentResponder).ToArray(),
            "export" => new[] { "export", cert, "--out", dir.File("site.ocsp") }.Concat(silentResponder).ToArray(),
            _ => new[] { "update", cert, "--store", dir.File("store"), "--export-dir", dir.File("export") }.Concat(silentResponder).ToArray(),
        };
        await using var running = BackgroundProcess.Start(Path.Combine(AppContext.BaseDirectory, "ocspstaple"), args);
        await Eventually.ValueOf(() => silent.Accepted, n => n > 0, 20_000);

        var clock = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", new[] { "-TERM", running.Id.ToString() }))
            await kill.WaitForExitAsync();
        await running.WaitForExitAsync(TimeSpan.FromSeconds(10));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed.TotalSeconds:0.0} s to stop");
        Assert.Equal(ExitCodes.Terminated, running.ExitCode);
        Assert.Contains("terminated (SIGTERM)", running.Output);
        Assert.DoesNotContain("   at ", running.Output);
        Assert.False(File.Exists(dir.File("site.ocsp")));
        Assert.False(Directory.Exists(dir.File("export")));
    }
}
