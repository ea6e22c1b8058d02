using OcspStapling.Cli;
using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Lab;
using OcspStapling.Engine.Policy;
using OcspStapling.Engine.Refresh;
using OcspStapling.Engine.Store;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Refresh;

/// <summary>The shared store under concurrent refreshers, crashes and failing responders.</summary>
public sealed class StoreRefreshTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public StoreRefreshTests(LabResponderFixture lab) => _lab = lab;

    private string CertificateDirectory(string name, int count) => _lab.SiteDirectory(name, count);

    [Fact]
    public async Task Two_processes_refreshing_one_store_fetch_each_entry_once_and_leave_every_entry_valid()
    {
        var certs = CertificateDirectory("twoproc", 12);
        var store = Path.Combine(_lab.Directory.Path, "twoproc-store");
        var program = Path.Combine(AppContext.BaseDirectory, "ocspstaple");
        var before = _lab.Responder.RequestCount;

        var runs = await Task.WhenAll(
            ProcessRunner.RunAsync(program, new[] { "update", certs, "--store", store, "--concurrency", "3" }),
            ProcessRunner.RunAsync(program, new[] { "update", certs, "--store", store, "--concurrency", "3" }));

        Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.All));
        Assert.Equal(12, _lab.Responder.RequestCount - before);
        var opened = new StapleStore(store);
        foreach (var file in Directory.GetFiles(certs, "*.pem"))
        {
            var entry = opened.Read(CertificateFile.Load(file).Leaf.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256));
            Assert.NotNull(entry?.Response);
            Assert.True(entry!.HasValidStaple(DateTimeOffset.UtcNow));
            Assert.Equal(0, entry.Metadata!.FailureCount);
        }
        Assert.Empty(Directory.GetFiles(store, "*.tmp"));
    }

    [Fact]
    public async Task A_writer_killed_between_temp_write_and_rename_leaves_the_old_entry_readable()
    {
        var certs = CertificateDirectory("killed", 1);
        var cert = Directory.GetFiles(certs, "*.pem").Single();
        var store = Path.Combine(_lab.Directory.Path, "killed-store");
        var program = Path.Combine(AppContext.BaseDirectory, "ocspstaple");
        Assert.Equal(0, (await ProcessRunner.RunAsync(program, new[] { "update", cert, "--store", store })).ExitCode);
        var thumbprint = CertificateFile.Load(cert).Leaf.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var old = new StapleStore(store).Read(thumbprint)!.Staple!;
        await Task.Delay(1100); // the next staple's producedAt differs

        var writer = new System.Diagnostics.ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "update", cert, "--store", store, "--force" })
            writer.ArgumentList.Add(arg);
        writer.Environment["OCSPSTAPLE_TEST_PAUSE_BEFORE_RENAME_MS"] = "30000";
        using var process = System.Diagnostics.Process.Start(writer)!;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (Directory.GetFiles(store, "*.tmp").Length == 0 && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.NotEmpty(Directory.GetFiles(store, "*.tmp"));
        process.Kill(); // SIGKILL: no cleanup, as a crash or the OOM killer would
        await process.WaitForExitAsync();

        var entry = new StapleStore(store).Read(thumbprint)!;
        Assert.Equal(old, entry.Staple);
        Assert.True(entry.HasValidStaple(DateTimeOffset.UtcNow));

        var next = await CliRunner.RunAsync("update", cert, "--store", store, "--force");
        Assert.True(next.ExitCode == ExitCodes.Good, next.ToString());
        Assert.NotEqual(old, new StapleStore(store).Read(thumbprint)!.Staple);
    }

    [Fact]
    public async Task Responder_down_then_tryLater_then_garbage_keeps_and_exports_the_old_staple_with_growing_backoff_then_recovers()
    {
        var certs = CertificateDirectory("outage", 1);
        var cert = Directory.GetFiles(certs, "*.pem").Single();
        var exportDir = Directory.CreateDirectory(Path.Combine(_lab.Directory.Path, "outage-export")).FullName;
        var store = new StapleStore(Path.Combine(_lab.Directory.Path, "outage-store"));
        // Long enough that the "still backing off" run always comes before the retry is due, even on a busy machine.
        var policy = RefreshPolicy.Default with { FirstRetryDelay = TimeSpan.FromMilliseconds(500), Jitter = 0 };
        var bundle = CertificateFile.Load(cert);
        var thumbprint = bundle.Leaf.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256);
        RefreshOptions Options(Uri? responder = null, bool force = false) => new()
        {
            Store = store,
            Force = force,
            Policy = policy,
            ExportDirectory = exportDir,
            Fetch = Engine.Operations.FetchOptions.Default with { Responder = responder },
        };
        using (var first = new StapleRefresher(Options()))
            Assert.Equal(RefreshOutcome.Refreshed, (await first.RefreshAsync(new[] { bundle }))[0].Outcome);
        var good = store.Read(thumbprint)!.Staple!;
        var firstFetch = store.Read(thumbprint)!.Metadata!.FetchedAt;
        var exported = Path.Combine(exportDir, "site0.pem.ocsp");
        File.Delete(exported); // a new export target: the kept staple must still reach it

        var delays = new List<TimeSpan>();
        var steps = new (Uri? Responder, LabFault Fault, string Says)[]
        {
            (new Uri($"http://127.0.0.1:{FreePort.Next()}/"), LabFault.None, "Cannot reach responder"),
            (null, LabFault.TryLater, "tryLater"),
            (null, LabFault.Garbage, "not an OCSP response"),
        };
        foreach (var (responder, fault, says) in steps)
        {
            // The first failure is forced (the staple is fresh); later ones come when the backoff says they are due.
            var force = delays.Count == 0;
            if (!force)
            {
                using var early = new StapleRefresher(Options(responder));
                Assert.Equal(RefreshOutcome.StillFresh, (await early.RefreshAsync(new[] { bundle }))[0].Outcome);
                await WaitUntilDue(store, thumbprint, policy);
            }
            _lab.Responder.Fault = fault;
            try
            {
                using var refresher = new StapleRefresher(Options(responder, force));
                var summary = (await refresher.RefreshAsync(new[] { bundle }))[0];

                Assert.Equal(RefreshOutcome.Failed, summary.Outcome);
                Assert.Contains(says, summary.Reason);
                Assert.True(summary.HasValidStaple);
            }
            finally
            {
                _lab.Responder.Fault = LabFault.None;
            }
            var entry = store.Read(thumbprint)!;
            Assert.Equal(good, entry.Staple);
            Assert.Equal(good, File.ReadAllBytes(exported));
            delays.Add(entry.Metadata!.NextRefresh!.Value - entry.Metadata.LastAttempt!.Value);
        }
        Assert.Equal(3, store.Read(thumbprint)!.Metadata!.FailureCount);
        Assert.True(delays[0] < delays[1] && delays[1] < delays[2], $"backoff grows: {string.Join(", ", delays)}");

        await WaitUntilDue(store, thumbprint, policy);
        using (var recovered = new StapleRefresher(Options()))
        {
            var summary = (await recovered.RefreshAsync(new[] { bundle }))[0];
            Assert.Equal(RefreshOutcome.Refreshed, summary.Outcome);
        }
        Assert.Equal(0, store.Read(thumbprint)!.Metadata!.FailureCount);
        Assert.True(store.Read(thumbprint)!.Metadata!.FetchedAt > firstFetch);
    }

    [Fact]
    public async Task Update_exit_codes_tell_cron_what_happened()
    {
        var certs = CertificateDirectory("exitcodes", 1);
        var cert = Directory.GetFiles(certs, "*.pem").Single();
        var store = Path.Combine(_lab.Directory.Path, "exitcodes-store");
        var dead = $"http://127.0.0.1:{FreePort.Next()}/";

        var noStapleYet = await CliRunner.RunAsync("update", cert, "--store", store, "--responder", dead);
        var stillBackingOff = await CliRunner.RunAsync("update", cert, "--store", store);
        var fresh = await CliRunner.RunAsync("update", cert, "--store", store, "--force");
        var stillFresh = await CliRunner.RunAsync("update", cert, "--store", store, "--json");
        var failedButValid = await CliRunner.RunAsync("update", cert, "--store", store, "--responder", dead, "--force");
        var badInvocation = await CliRunner.RunAsync("update", cert, "--store", store, "--concurrency", "0");

        Assert.Equal(ExitCodes.ResponderFailed, noStapleYet.ExitCode);
        Assert.Contains("NO VALID STAPLE", noStapleYet.StdOut);
        Assert.Equal(ExitCodes.ResponderFailed, stillBackingOff.ExitCode);
        Assert.Contains(": NO VALID STAPLE; next refresh", stillBackingOff.StdOut);
        Assert.DoesNotContain("this run:", stillBackingOff.StdOut); // backing off: nothing was asked
        Assert.Equal(ExitCodes.Good, fresh.ExitCode);
        Assert.Equal(ExitCodes.Good, stillFresh.ExitCode);
        Assert.Equal("stillFresh", stillFresh.Sites[0].GetProperty("outcome").GetString());
        Assert.Equal(ExitCodes.NotGood, failedButValid.ExitCode);
        Assert.Equal(ExitCodes.Usage, badInvocation.ExitCode);
    }

    [Fact]
    public async Task A_verified_revoked_answer_replaces_the_good_staple_and_exits_3()
    {
        var certs = CertificateDirectory("revoked", 1);
        var cert = Directory.GetFiles(certs, "*.pem").Single();
        var store = Path.Combine(_lab.Directory.Path, "revoked-store");
        Assert.Equal(ExitCodes.Good, (await CliRunner.RunAsync("update", cert, "--store", store)).ExitCode);
        _lab.Responder.SetStatus(CertificateFile.Load(cert).Leaf, Engine.Protocol.CertStatus.Revoked);

        var outcome = await CliRunner.RunAsync("update", cert, "--store", store, "--force", "--json");

        Assert.Equal(ExitCodes.ResponderFailed, outcome.ExitCode);
        Assert.Equal("revoked", outcome.Sites[0].GetProperty("outcome").GetString());
        Assert.Contains("REVOKED", outcome.StdErr);
    }

    private static async Task WaitUntilDue(StapleStore store, string thumbprint, RefreshPolicy policy)
    {
        var now = DateTimeOffset.UtcNow;
        var due = StaplePolicy.Judge(StapleFacts.OfEntryAlone(store.Read(thumbprint), now), policy).FetchAt ?? now;
        // The refreshed entry's normal schedule is days away; only the failure backoff is waited for.
        if (due - DateTimeOffset.UtcNow < TimeSpan.FromSeconds(5))
            await Task.Delay(due - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(20) is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
    }

    [Fact]
    public async Task The_reload_command_runs_once_when_staples_changed_and_not_when_all_were_still_fresh()
    {
        var certs = CertificateDirectory("reload", 2);
        var store = Path.Combine(_lab.Directory.Path, "reload-store");
        var marker = Path.Combine(_lab.Directory.Path, "reloads.log");
        var reload = $"echo reloaded >> '{marker}'";

        var changed = await CliRunner.RunAsync("update", certs, "--store", store, "--reload", reload);
        var unchanged = await CliRunner.RunAsync("update", certs, "--store", store, "--reload", reload);
        await Task.Delay(1100); // the forced refresh then fetches staples with a later producedAt: they change
        var failing = await CliRunner.RunAsync("update", certs, "--store", store, "--force", "--reload", "exit 7");

        Assert.True(changed.ExitCode == ExitCodes.Good, changed.ToString());
        Assert.Equal(ExitCodes.Good, unchanged.ExitCode);
        Assert.Equal(new[] { "reloaded" }, File.ReadAllLines(marker));
        Assert.Equal(ExitCodes.NotGood, failing.ExitCode);
        Assert.Contains("exit code 7", failing.StdErr);
    }
}
