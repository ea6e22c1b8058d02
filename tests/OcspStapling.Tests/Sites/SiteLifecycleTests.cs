using OcspStapling.Cli;
using OcspStapling.Engine.Protocol;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Sites;

/// <summary>
/// What cron sees run after run: exit codes that tell the state (not what the run happened to do), renewals that
/// are fetched at once and never served with the old staple, deliveries retried until they succeed, and a store
/// that forgets retired certificates.
/// </summary>
public sealed class SiteLifecycleTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;
    private readonly SiteLayouts _layouts;

    public SiteLifecycleTests(LabResponderFixture lab)
    {
        _lab = lab;
        _layouts = new SiteLayouts(lab);
    }

    private string Dead => $"http://127.0.0.1:{FreePort.Next()}/";

    [Fact]
    public async Task A_revoked_site_gives_the_revocation_as_its_reason_after_an_outage_not_the_outage()
    {
        using var dir = new TempDirectory();
        var live = _layouts.Certbot(dir.File("le"), "revokedthenout");
        var store = dir.File("store");
        Assert.Equal(ExitCodes.Good, (await CliRunner.RunAsync("update", live, "--store", store)).ExitCode);
        _lab.Responder.SetStatus(Engine.Certificates.CertificateFile.Load(Path.Combine(live, "cert.pem")).Leaf, CertStatus.Revoked);
        await CliRunner.RunAsync("update", live, "--store", store, "--force");
        await CliRunner.RunAsync("update", live, "--store", store, "--force", "--responder", Dead); // the outage

        var after = await CliRunner.RunAsync("status", live, "--store", store);

        Assert.True(after.ExitCode == ExitCodes.ResponderFailed, after.ToString());
        Assert.StartsWith("revokedthenout: REVOKED;", after.StdOut);
        Assert.Contains("the certificate is REVOKED", after.StdOut);
        Assert.DoesNotContain("127.0.0.1", after.StdOut);
    }

    [Fact]
    public async Task A_revoked_certificate_exits_3_on_every_run_not_only_the_one_that_fetched_it()
    {
        using var dir = new TempDirectory();
        var live = _layouts.Certbot(dir.File("le"), "revoked");
        var store = dir.File("store");
        Assert.Equal(ExitCodes.Good, (await CliRunner.RunAsync("update", live, "--store", store)).ExitCode);
        _lab.Responder.SetStatus(Engine.Certificates.CertificateFile.Load(Path.Combine(live, "cert.pem")).Leaf, CertStatus.Revoked);

        var fetched = await CliRunner.RunAsync("update", live, "--store", store, "--force");
        var requests = _lab.Responder.RequestCount;
        var nextRun = await CliRunner.RunAsync("update", live, "--store", store);

        Assert.Equal(ExitCodes.ResponderFailed, fetched.ExitCode);
        Assert.True(nextRun.ExitCode == ExitCodes.ResponderFailed, nextRun.ToString());
        Assert.StartsWith("revoked: REVOKED;", nextRun.StdOut);
        Assert.Equal(requests, _lab.Responder.RequestCount); // not due: the state alone sets the exit code
    }

    [Fact]
    public async Task During_an_outage_every_run_exits_1_while_the_staple_is_valid()
    {
        using var dir = new TempDirectory();
        var live = _layouts.Certbot(dir.File("le"), "outage");
        var store = dir.File("store");
        var dead = Dead;

        var codes = new List<int> { (await CliRunner.RunAsync("update", live, "--store", store)).ExitCode };
        codes.Add((await CliRunner.RunAsync("update", live, "--store", store, "--responder", dead, "--force")).ExitCode);
        var backingOff = await CliRunner.RunAsync("update", live, "--store", store, "--responder", dead);
        codes.Add(backingOff.ExitCode);
        codes.Add((await CliRunner.RunAsync("update", live, "--store", store, "--force")).ExitCode);

        Assert.Equal(new[] { ExitCodes.Good, ExitCodes.NotGood, ExitCodes.NotGood, ExitCodes.Good }, codes);
        Assert.Contains("refresh failed, staple still valid", backingOff.StdOut);
    }

    [Fact]
    public async Task A_certificate_without_ocsp_is_fine_every_run_and_a_problem_only_when_ocsp_is_required()
    {
        using var dir = new TempDirectory();
        var live = _layouts.Certbot(dir.File("le"), "letsencrypt-2025", _layouts.Leaf("no-ocsp.example.test", withOcsp: false));
        var requests = _lab.Responder.RequestCount;

        var first = await CliRunner.RunAsync("update", live, "--store", dir.File("store"), "--export-dir", dir.File("ocsp"), "--json");
        var second = await CliRunner.RunAsync("update", live, "--store", dir.File("store"), "--export-dir", dir.File("ocsp"));
        var required = await CliRunner.RunAsync("update", live, "--store", dir.File("store"), "--require-ocsp");

        Assert.True(first.ExitCode == ExitCodes.Good, first.ToString());
        Assert.Equal("noOcsp", first.Sites[0].GetProperty("state").GetString());
        Assert.Equal(ExitCodes.Good, second.ExitCode);
        Assert.Contains("letsencrypt-2025: no OCSP; the certificate names no OCSP responder", second.StdOut);
        Assert.Equal(ExitCodes.ResponderFailed, required.ExitCode);
        Assert.Equal(requests, _lab.Responder.RequestCount);
        Assert.False(File.Exists(Path.Combine(dir.File("ocsp"), "letsencrypt-2025.ocsp")));
    }

    [Fact]
    public async Task An_expired_certificate_is_reported_and_not_fetched()
    {
        using var dir = new TempDirectory();
        var now = DateTimeOffset.UtcNow;
        var live = _layouts.Certbot(dir.File("le"), "lapsed", _layouts.Leaf("lapsed.example.test", notBefore: now.AddHours(-20), notAfter: now.AddHours(-1)));
        var requests = _lab.Responder.RequestCount;

        var outcome = await CliRunner.RunAsync("update", live, "--store", dir.File("store"));

        Assert.True(outcome.ExitCode == ExitCodes.ResponderFailed, outcome.ToString());
        Assert.StartsWith("lapsed: CERTIFICATE EXPIRED", outcome.StdOut);
        Assert.Equal(requests, _lab.Responder.RequestCount);
    }

    [Fact]
    public async Task A_failed_reload_is_retried_on_every_run_until_it_succeeds_and_then_not_again()
    {
        using var dir = new TempDirectory();
        var live = _layouts.Certbot(dir.File("le"), "reload");
        var marker = dir.File("reloads.log");
        string Reload(string result) => $"echo {result} >> '{marker}'; [ {result} = ok ]";
        string[] Run(string result) => new[] { "update", live, "--store", dir.File("store"), "--export-dir", dir.File("ocsp"), "--reload", Reload(result) };

        var failed = await CliRunner.RunAsync(Run("broken"));
        var stillFailing = await CliRunner.RunAsync(Run("broken"));
        var fixedRun = await CliRunner.RunAsync(Run("ok"));
        var settled = await CliRunner.RunAsync(Run("ok"));

        Assert.True(failed.ExitCode == ExitCodes.NotGood, failed.ToString());
        Assert.Contains("staple not delivered to the server, retried next run", stillFailing.StdOut);
        Assert.Equal(ExitCodes.NotGood, stillFailing.ExitCode);
        Assert.Equal(ExitCodes.Good, fixedRun.ExitCode);
        Assert.Equal(ExitCodes.Good, settled.ExitCode);
        Assert.Equal(new[] { "broken", "broken", "ok" }, File.ReadAllLines(marker)); // the settled run did not reload
    }

    [Fact]
    public async Task A_renewed_certificate_is_fetched_at_once_despite_the_old_ones_backoff_and_exported_in_its_place()
    {
        using var dir = new TempDirectory();
        var le = dir.File("le");
        var live = _layouts.Certbot(le, "renew");
        var store = dir.File("store");
        var export = Path.Combine(dir.File("ocsp"), "renew.ocsp");
        Assert.Equal(ExitCodes.Good, (await CliRunner.RunAsync("update", live, "--store", store, "--export-dir", dir.File("ocsp"))).ExitCode);
        await CliRunner.RunAsync("update", live, "--store", store, "--export-dir", dir.File("ocsp"), "--responder", Dead, "--force"); // old entry now backs off
        _layouts.Certbot(le, "renew"); // certbot renew: same names, new certificate

        var renewed = await CliRunner.RunAsync("update", live, "--store", store, "--export-dir", dir.File("ocsp"));
        var check = await CliRunner.RunAsync("test", export, "--cert", Path.Combine(live, "fullchain.pem"));

        Assert.True(renewed.ExitCode == ExitCodes.Good, renewed.ToString());
        Assert.Contains("this run: refreshed", renewed.StdOut);
        Assert.True(check.ExitCode == ExitCodes.Good, check.ToString());
    }

    [Fact]
    public async Task A_renewed_certificate_whose_staple_cannot_be_fetched_keeps_the_previous_export_and_says_so()
    {
        using var dir = new TempDirectory();
        var le = dir.File("le");
        var live = _layouts.Certbot(le, "renewdown");
        var export = Path.Combine(dir.File("ocsp"), "renewdown.ocsp");
        Assert.Equal(ExitCodes.Good, (await CliRunner.RunAsync("update", live, "--store", dir.File("store"), "--export-dir", dir.File("ocsp"))).ExitCode);
        var previous = File.ReadAllBytes(export);
        _layouts.Certbot(le, "renewdown");

        var outcome = await CliRunner.RunAsync("update", live, "--store", dir.File("store"), "--export-dir", dir.File("ocsp"), "--responder", Dead);

        Assert.True(outcome.ExitCode == ExitCodes.ResponderFailed, outcome.ToString());
        Assert.Contains("renewdown: NO VALID STAPLE", outcome.StdOut);
        Assert.Contains($"'{export}' still holds the previous certificate's staple, kept so the server can load its configuration", outcome.StdOut);
        Assert.Equal(previous, File.ReadAllBytes(export)); // nginx refuses a configuration whose ssl_stapling_file is missing
    }

    [Fact]
    public async Task The_store_entry_of_a_retired_certificate_is_removed_once_its_staple_has_expired()
    {
        using var dir = new TempDirectory();
        var le = dir.File("le");
        var live = _layouts.Certbot(le, "retire");
        var store = dir.File("store");
        var old = _lab.Responder.Validity;
        _lab.Responder.Validity = TimeSpan.FromSeconds(2);
        try
        {
            await CliRunner.RunAsync("update", live, "--store", store, "--interval", "1s");
        }
        finally
        {
            _lab.Responder.Validity = old;
        }
        var oldEntry = Assert.Single(Directory.GetFiles(store, "*.der"));
        _layouts.Certbot(le, "retire");

        var whileValid = await CliRunner.RunAsync("update", live, "--store", store);
        var stillThere = File.Exists(oldEntry);
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var afterExpiry = await CliRunner.RunAsync("update", live, "--store", store);

        Assert.Equal(ExitCodes.Good, whileValid.ExitCode);
        Assert.True(stillThere, "an entry whose staple is still valid is kept (another run may serve it)");
        Assert.Equal(ExitCodes.Good, afterExpiry.ExitCode);
        Assert.False(File.Exists(oldEntry));
        Assert.False(File.Exists(Path.ChangeExtension(oldEntry, ".json")));
        Assert.Single(Directory.GetFiles(store, "*.der"));
    }
}
