using System.Text.Json;
using System.Text.RegularExpressions;
using OcspStapling.Cli;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Sites;

/// <summary>
/// How an admin sees the sites without reading every line: `status` (no fetch), --quiet for cron mail, a
/// Prometheus textfile for node_exporter, and JSON that jq can read.
/// </summary>
public sealed class SiteReportingTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;
    private readonly SiteLayouts _layouts;

    public SiteReportingTests(LabResponderFixture lab)
    {
        _lab = lab;
        _layouts = new SiteLayouts(lab);
    }

    [Fact]
    public async Task Status_shows_the_state_update_left_without_asking_the_responder_or_writing_anything()
    {
        using var dir = new TempDirectory();
        var le = dir.File("le");
        var live = _layouts.Certbot(le, "status");
        _layouts.Certbot(le, "plain", _layouts.Leaf("plain.example.test", withOcsp: false));
        var store = dir.File("store");
        var update = await CliRunner.RunAsync("update", Path.Combine(le, "live"), "--store", store);
        var storeFiles = Snapshot(store);
        var requests = _lab.Responder.RequestCount;

        var status = await CliRunner.RunAsync("status", Path.Combine(le, "live"), "--store", store);
        var storeOnly = await CliRunner.RunAsync("status", "--store", store, "--json");

        Assert.True(status.ExitCode == update.ExitCode, status.ToString());
        Assert.Contains("status: stapled; valid until", status.StdOut);
        Assert.Contains("plain: no OCSP", status.StdOut);
        Assert.Equal(requests, _lab.Responder.RequestCount);
        Assert.Equal(storeFiles, Snapshot(store));
        var entry = Assert.Single(storeOnly.Sites);
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("layout").ValueKind); // no path given: the store's entry alone
        // Named by its certificate: after a renewal the path recorded would hold another one.
        Assert.Equal(entry.GetProperty("thumbprint").GetString(), entry.GetProperty("site").GetString());
        Assert.Equal(Path.Combine(live, "fullchain.pem"), entry.GetProperty("certificate").GetString());
        Assert.Equal("stapled", entry.GetProperty("state").GetString());
        Assert.Equal("notFetched", entry.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Status_reports_a_staple_that_expires_before_the_next_run_as_the_problem_it_will_be()
    {
        using var dir = new TempDirectory();
        var live = _layouts.Certbot(dir.File("le"), "soon");
        var store = dir.File("store");
        Assert.Equal(ExitCodes.Good, (await CliRunner.RunAsync("update", live, "--store", store)).ExitCode);

        var daily = await CliRunner.RunAsync("status", live, "--store", store, "--interval", "30d");

        Assert.True(daily.ExitCode == ExitCodes.ResponderFailed, daily.ToString());
        Assert.StartsWith("soon: STAPLE EXPIRES BEFORE THE NEXT RUN", daily.StdOut);
    }

    [Fact]
    public async Task Quiet_prints_nothing_when_all_is_well_and_only_the_problems_on_stderr_when_not()
    {
        using var dir = new TempDirectory();
        var le = dir.File("le");
        _layouts.Certbot(le, "fine");
        var store = dir.File("store");
        var allWell = await CliRunner.RunAsync("update", Path.Combine(le, "live"), "--store", store, "--quiet");
        _layouts.Certbot(le, "lapsed", _layouts.Leaf("lapsed.example.test", notBefore: DateTimeOffset.UtcNow.AddHours(-20), notAfter: DateTimeOffset.UtcNow.AddHours(-1)));

        var oneBad = await CliRunner.RunAsync("update", Path.Combine(le, "live"), "--store", store, "-q");

        Assert.True(allWell.ExitCode == ExitCodes.Good, allWell.ToString());
        Assert.Equal("", allWell.StdOut + allWell.StdErr);
        Assert.Equal(ExitCodes.ResponderFailed, oneBad.ExitCode);
        Assert.Equal("", oneBad.StdOut);
        var line = Assert.Single(oneBad.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("lapsed: CERTIFICATE EXPIRED", line);
    }

    [Fact]
    public async Task The_metrics_file_holds_each_sites_staple_state_and_the_run_for_node_exporter()
    {
        using var dir = new TempDirectory();
        var le = dir.File("le");
        var good = _layouts.Certbot(le, "metrics");
        _layouts.Certbot(le, "le2025", _layouts.Leaf("le2025.example.test", withOcsp: false));
        var prom = dir.File("textfile/ocspstaple.prom");
        Directory.CreateDirectory(Path.GetDirectoryName(prom)!);
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var run = await CliRunner.RunAsync("update", Path.Combine(le, "live"), "--store", dir.File("store"), "--metrics-file", prom, "--json");

        Assert.True(run.ExitCode == ExitCodes.Good, run.ToString());
        var text = File.ReadAllText(prom);
        var thumbprint = run.Sites.Single(s => s.GetProperty("site").GetString() == "metrics").GetProperty("thumbprint").GetString();
        var labels = $"{{site=\"metrics\",thumbprint=\"{thumbprint}\"}}";
        var nextUpdate = run.Sites.Single(s => s.GetProperty("site").GetString() == "metrics").GetProperty("nextUpdate").GetDateTimeOffset();
        Assert.Contains($"ocspstaple_staple_valid{labels} 1\n", text);
        Assert.Contains($"ocspstaple_staple_expiry_timestamp_seconds{labels} {nextUpdate.ToUnixTimeSeconds()}\n", text);
        Assert.Matches(new Regex($"ocspstaple_staple_next_refresh_timestamp_seconds{Regex.Escape(labels)} \\d+\n"), text);
        Assert.Contains($"ocspstaple_certificate_revoked{labels} 0\n", text);
        Assert.Contains("ocspstaple_site_state{site=\"metrics\",thumbprint=\"" + thumbprint + "\",state=\"stapled\"} 1\n", text);
        Assert.Contains("ocspstaple_site_state{site=\"metrics\",thumbprint=\"" + thumbprint + "\",state=\"revoked\"} 0\n", text);
        Assert.Matches(new Regex("ocspstaple_site_state\\{site=\"le2025\",thumbprint=\"[0-9a-f]{64}\",state=\"noOcsp\"\\} 1\n"), text);
        Assert.DoesNotMatch(new Regex("ocspstaple_staple_valid\\{site=\"le2025\","), text); // no OCSP: nothing to staple, never a missing staple
        var lastRun = long.Parse(Regex.Match(text, "^ocspstaple_last_run_timestamp_seconds (\\d+)$", RegexOptions.Multiline).Groups[1].Value);
        Assert.InRange(lastRun, before, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Equal(new[] { "ocspstaple.prom" }, Directory.GetFiles(Path.GetDirectoryName(prom)!).Select(Path.GetFileName)); // no temporary left
        Assert.True(File.Exists(Path.Combine(good, "fullchain.pem")));
    }

    [Fact]
    public async Task Json_has_every_field_with_utc_whole_second_times_lower_case_thumbprints_and_a_schema_version()
    {
        using var dir = new TempDirectory();
        var le = dir.File("le");
        _layouts.Certbot(le, "json");
        _layouts.Certbot(le, "noocsp", _layouts.Leaf("noocsp.example.test", withOcsp: false));

        var update = await CliRunner.RunAsync("update", Path.Combine(le, "live"), "--store", dir.File("store"), "--json");
        var get = await CliRunner.RunAsync("get", Path.Combine(le, "live", "json", "fullchain.pem"), "--json");

        Assert.True(update.ExitCode == ExitCodes.Good, update.ToString());
        Assert.Equal(1, update.Json.GetProperty("schemaVersion").GetInt32());
        Assert.Equal("update", update.Json.GetProperty("command").GetString());
        Assert.Equal(JsonValueKind.Null, update.Json.GetProperty("error").ValueKind);
        var fields = update.Sites.Select(s => s.EnumerateObject().Select(p => p.Name).ToList()).ToList();
        Assert.Equal(fields[0], fields[1]); // the same fields whether or not the site has OCSP
        var noOcsp = update.Sites.Single(s => s.GetProperty("site").GetString() == "noocsp");
        Assert.Equal(JsonValueKind.Null, noOcsp.GetProperty("nextUpdate").ValueKind);
        Assert.Equal(JsonValueKind.Null, noOcsp.GetProperty("certStatus").ValueKind);
        var times = Regex.Matches(update.StdOut + get.StdOut, "\"(\\d{4}-[^\"]*T[^\"]*)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(times);
        Assert.All(times, t => Assert.Matches("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$", t));
        var thumbprints = update.Sites.Select(s => s.GetProperty("thumbprint").GetString()!).Append(get.Response.GetProperty("thumbprint").GetString()!);
        Assert.All(thumbprints, t => Assert.Matches("^[0-9a-f]{64}$", t));
        Assert.Equal(update.Sites.Single(s => s.GetProperty("site").GetString() == "json").GetProperty("thumbprint").GetString(),
            get.Response.GetProperty("thumbprint").GetString());
    }

    private static string[] Snapshot(string directory) =>
        Directory.GetFiles(directory).Select(f => $"{Path.GetFileName(f)} {File.GetLastWriteTimeUtc(f):O} {new FileInfo(f).Length}").Order().ToArray();

    [Fact]
    public async Task Get_export_and_test_name_the_state_the_same_policy_gives_update()
    {
        using var dir = new TempDirectory();
        var good = _lab.GoodLeaf("state-good.example.test");
        var revoked = _lab.GoodLeaf("state-revoked.example.test");
        _lab.Responder.SetStatus(Engine.Certificates.CertificateFile.Load(revoked).Leaf, Engine.Protocol.CertStatus.Revoked);
        var staple = dir.File("short.ocsp");
        var old = _lab.Responder.Validity;
        _lab.Responder.Validity = TimeSpan.FromSeconds(2);
        CliOutcome export;
        try
        {
            export = await CliRunner.RunAsync("export", good, "--out", staple, "--json");
        }
        finally
        {
            _lab.Responder.Validity = old;
        }

        var get = await CliRunner.RunAsync("get", good, "--json");
        var getRevoked = await CliRunner.RunAsync("get", revoked, "--json");
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var testExpired = await CliRunner.RunAsync("test", staple, "--cert", good);

        Assert.Equal("stapled", export.Response.GetProperty("state").GetString());
        Assert.Equal("stapled", get.Response.GetProperty("state").GetString());
        Assert.Equal("ok", get.Response.GetProperty("severity").GetString());
        Assert.Equal("revoked", getRevoked.Response.GetProperty("state").GetString());
        Assert.Equal("problem", getRevoked.Response.GetProperty("severity").GetString());
        Assert.NotEqual(ExitCodes.Good, testExpired.ExitCode);
        Assert.Contains("state       NO VALID STAPLE", testExpired.StdOut);
    }

    [Fact]
    public async Task Status_of_a_store_that_does_not_exist_says_so_instead_of_showing_an_empty_healthy_store()
    {
        using var dir = new TempDirectory();

        var outcome = await CliRunner.RunAsync("status", "--store", dir.File("mistyped"));

        Assert.Equal(ExitCodes.Usage, outcome.ExitCode);
        Assert.Equal($"ocspstaple: The staple store '{dir.File("mistyped")}' does not exist; name the store the refresh uses, or the certificates to show.\n", outcome.StdErr);
    }

    [Fact]
    public async Task A_metrics_file_that_cannot_be_written_is_one_warning_and_the_sites_are_still_reported()
    {
        using var dir = new TempDirectory();
        var live = _layouts.Certbot(dir.File("le"), "blind");
        File.WriteAllText(dir.File("not-a-directory"), "a file");
        var metrics = Path.Combine(dir.File("not-a-directory"), "ocspstaple.prom");

        var outcome = await CliRunner.RunAsync("update", live, "--store", dir.File("store"), "--metrics-file", metrics);

        Assert.Equal(ExitCodes.NotGood, outcome.ExitCode);
        Assert.StartsWith("blind: stapled;", outcome.StdOut);
        Assert.Equal($"ocspstaple: warning: Cannot write metrics file '{metrics}': '{dir.File("not-a-directory")}' is a file, not a directory.\n", outcome.StdErr);
    }
}
