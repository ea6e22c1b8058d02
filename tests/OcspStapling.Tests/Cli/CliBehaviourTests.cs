using System.Text.Json;
using System.Security.Cryptography.X509Certificates;
using OcspStapling.Cli;
using OcspStapling.Engine.Protocol;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Cli;

/// <summary>What an administrator sees from `ocspstaple get/test/export`: output, errors and exit codes.</summary>
public sealed class CliBehaviourTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public CliBehaviourTests(LabResponderFixture lab) => _lab = lab;

    [Fact]
    public async Task Get_prints_json_with_the_fields_scripts_read_and_exits_0_when_good()
    {
        var cert = _lab.GoodLeaf("json.example.test");
        var outcome = await CliRunner.RunAsync("get", cert, "--json");

        Assert.True(outcome.ExitCode == ExitCodes.Good, outcome.ToString());
        Assert.Equal(1, outcome.Json.GetProperty("schemaVersion").GetInt32());
        Assert.Equal("get", outcome.Json.GetProperty("command").GetString());
        Assert.Equal(JsonValueKind.Null, outcome.Json.GetProperty("error").ValueKind);
        var json = outcome.Response;
        Assert.Equal("successful", json.GetProperty("status").GetString());
        Assert.Equal("good", json.GetProperty("certStatus").GetString());
        Assert.True(json.GetProperty("verified").GetBoolean());
        Assert.Equal(_lab.Responder.Url.ToString(), json.GetProperty("responderUrl").GetString());
        Assert.True(json.GetProperty("nextUpdate").GetDateTimeOffset() > json.GetProperty("thisUpdate").GetDateTimeOffset());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", json.GetProperty("producedAt").GetString());
        Assert.Matches("^[0-9a-f]{64}$", json.GetProperty("thumbprint").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("revocationTime").ValueKind); // present, null when empty
        Assert.Empty(json.GetProperty("findings").EnumerateArray());
    }

    [Fact]
    public async Task Get_says_revoked_in_plain_words_and_exits_1()
    {
        var cert = _lab.GoodLeaf("revoked-cli.example.test");
        _lab.Responder.SetStatus(Engine.Certificates.CertificateFile.Load(cert).Leaf, CertStatus.Revoked);

        var outcome = await CliRunner.RunAsync("get", cert);

        Assert.Equal(ExitCodes.NotGood, outcome.ExitCode);
        Assert.Contains("revoked, verified", outcome.StdOut);
        Assert.Contains("REVOKED", outcome.StdOut);
    }

    [Fact]
    public async Task Get_reports_unknown_status_and_exits_1()
    {
        var cert = _lab.GoodLeaf("unknown-cli.example.test");
        _lab.Responder.SetStatus(Engine.Certificates.CertificateFile.Load(cert).Leaf, CertStatus.Unknown);

        var outcome = await CliRunner.RunAsync("get", cert, "--json");

        Assert.Equal(ExitCodes.NotGood, outcome.ExitCode);
        Assert.Equal("unknown", outcome.Response.GetProperty("certStatus").GetString());
        Assert.Contains("statusUnknown", outcome.FindingCodes);
    }

    [Fact]
    public async Task Missing_certificate_file_is_a_usage_error_naming_the_file()
    {
        var outcome = await CliRunner.RunAsync("get", "/nonexistent/site.pem");

        Assert.Equal(ExitCodes.Usage, outcome.ExitCode);
        Assert.Contains("'/nonexistent/site.pem'", outcome.StdErr);
        Assert.Contains("does not exist", outcome.StdErr);
        Assert.Equal("", outcome.StdOut);
    }

    [Fact]
    public async Task A_file_that_is_not_a_certificate_is_a_usage_error()
    {
        var path = Path.Combine(_lab.Directory.Path, "notes.txt");
        File.WriteAllText(path, "hello, not a certificate");

        var outcome = await CliRunner.RunAsync("get", path);

        Assert.Equal(ExitCodes.Usage, outcome.ExitCode);
        Assert.Contains($"Cannot read certificate '{path}'", outcome.StdErr);
    }

    [Fact]
    public async Task Unknown_option_is_a_usage_error()
    {
        var outcome = await CliRunner.RunAsync("get", "x.pem", "--frobnicate");

        Assert.Equal(ExitCodes.Usage, outcome.ExitCode);
        Assert.Contains("--frobnicate", outcome.StdErr);
    }

    [Fact]
    public async Task Certificate_without_an_ocsp_url_says_to_give_a_responder()
    {
        var cert = _lab.GoodLeaf("no-aia.example.test", ocspUrls: Array.Empty<string>());

        var outcome = await CliRunner.RunAsync("get", cert);

        Assert.Equal(ExitCodes.Usage, outcome.ExitCode);
        Assert.Contains("--responder", outcome.StdErr);

        var given = await CliRunner.RunAsync("get", cert, "--responder", _lab.Responder.Url.ToString());
        Assert.True(given.ExitCode == ExitCodes.Good, given.ToString());
    }

    [Fact]
    public async Task Issuer_that_cannot_be_found_is_a_usage_error_with_the_ways_to_give_it()
    {
        var cert = _lab.GoodLeaf("lonely.example.test");
        var leafOnly = Path.Combine(Path.GetDirectoryName(cert)!, "leaf.pem");

        var outcome = await CliRunner.RunAsync("get", leafOnly);

        Assert.Equal(ExitCodes.Usage, outcome.ExitCode);
        Assert.Contains("No issuer certificate found", outcome.StdErr);
        Assert.Contains("--issuer", outcome.StdErr);
    }

    [Theory]
    [InlineData("explicit")]
    [InlineData("trustedFile")]
    [InlineData("aiaDownload")]
    public async Task Issuer_is_found_where_the_administrator_keeps_it(string source)
    {
        var cert = _lab.GoodLeaf("issuer-" + source.ToLowerInvariant() + ".example.test", caIssuers: new[] { _lab.Responder.IssuerUrl.ToString() });
        var dir = Path.GetDirectoryName(cert)!;
        var args = new List<string> { "get", Path.Combine(dir, "leaf.pem"), "--json" };
        if (source == "explicit")
            args.AddRange(new[] { "--issuer", Path.Combine(dir, "issuer.pem") });
        if (source == "trustedFile")
            args.AddRange(new[] { "--trusted", Path.Combine(dir, "cafile.pem") });

        var outcome = await CliRunner.RunAsync(args.ToArray());

        Assert.True(outcome.ExitCode == ExitCodes.Good, outcome.ToString());
        Assert.Equal(source, outcome.Response.GetProperty("issuerSource").GetString());
    }

    [Fact]
    public async Task Unreachable_responder_exits_3_and_names_the_url()
    {
        var cert = _lab.GoodLeaf("unreachable.example.test");
        var dead = $"http://127.0.0.1:{FreePort.Next()}/";

        var outcome = await CliRunner.RunAsync("get", cert, "--responder", dead);

        Assert.Equal(ExitCodes.ResponderFailed, outcome.ExitCode);
        Assert.Contains($"Cannot reach responder {dead}", outcome.StdErr);
    }

    [Fact]
    public async Task A_dead_first_aia_url_fails_over_to_the_next()
    {
        var dead = $"http://127.0.0.1:{FreePort.Next()}/";
        var cert = _lab.GoodLeaf("failover.example.test", ocspUrls: new[] { dead, _lab.Responder.Url.ToString() });

        var outcome = await CliRunner.RunAsync("get", cert, "--json");

        Assert.True(outcome.ExitCode == ExitCodes.Good, outcome.ToString());
        Assert.Equal(_lab.Responder.Url.ToString(), outcome.Response.GetProperty("responderUrl").GetString());
    }

    [Fact]
    public async Task Nonce_is_sent_and_its_echo_verified_on_request()
    {
        var cert = _lab.GoodLeaf("nonce.example.test");

        var outcome = await CliRunner.RunAsync("get", cert, "--nonce", "--method", "post", "--json");

        Assert.True(outcome.ExitCode == ExitCodes.Good, outcome.ToString());
        Assert.Equal("post", outcome.Response.GetProperty("method").GetString());
    }

    [Fact]
    public async Task Proxy_and_host_header_are_used_as_given()
    {
        var cert = _lab.GoodLeaf("proxied.example.test");
        var before = _lab.Responder.ProxiedRequestCount;
        // The responder URL is a closed loopback port: only the proxy (the lab responder) can answer.
        var target = $"http://127.0.0.1:{FreePort.Next()}/";

        var outcome = await CliRunner.RunAsync("get", cert, "--responder", target, "--proxy", _lab.Responder.Url.ToString(), "--host-header", "ocsp.internal.example");

        Assert.True(outcome.ExitCode == ExitCodes.Good, outcome.ToString());
        Assert.Equal(before + 1, _lab.Responder.ProxiedRequestCount);
        Assert.Equal("ocsp.internal.example", _lab.Responder.LastHost);
    }

    [Fact]
    public async Task Pfx_with_password_from_the_environment_is_read()
    {
        var cert = _lab.GoodLeaf("pfx.example.test");
        var leaf = X509Certificate2.CreateFromPemFile(cert, Path.Combine(Path.GetDirectoryName(cert)!, "key.pem"));
        var chain = new X509Certificate2Collection { leaf, X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(Path.GetDirectoryName(cert)!, "issuer.pem"))) };
        var pfx = Path.Combine(Path.GetDirectoryName(cert)!, "site.pfx");
        File.WriteAllBytes(pfx, chain.Export(X509ContentType.Pfx, "s3cret")!);
        Environment.SetEnvironmentVariable("OCSPSTAPLE_TEST_PFX_PASSWORD", "s3cret");

        var outcome = await CliRunner.RunAsync("get", pfx, "--password-env", "OCSPSTAPLE_TEST_PFX_PASSWORD");
        var wrong = await CliRunner.RunAsync("get", pfx);

        Assert.True(outcome.ExitCode == ExitCodes.Good, outcome.ToString());
        Assert.Equal(ExitCodes.Usage, wrong.ExitCode);
        Assert.Contains("password", wrong.StdErr);
    }

    [Fact]
    public async Task Export_base64_writes_one_line_haproxy_accepts_and_test_reads_it_back()
    {
        var cert = _lab.GoodLeaf("b64.example.test");
        var b64 = Path.Combine(Path.GetDirectoryName(cert)!, "site.ocsp.b64");

        var exported = await CliRunner.RunAsync("export", cert, "--out", b64, "--base64");
        var tested = await CliRunner.RunAsync("test", b64, "--cert", cert);

        Assert.True(exported.ExitCode == ExitCodes.Good, exported.ToString());
        var text = File.ReadAllText(b64);
        Assert.EndsWith("\n", text);
        Assert.Single(text.TrimEnd('\n').Split('\n'));
        Assert.Equal(OcspResponseStatus.Successful, OcspResponseDecoder.Decode(Convert.FromBase64String(text)).Status);
        Assert.True(tested.ExitCode == ExitCodes.Good, tested.ToString());
    }

    [Fact]
    public async Task Test_of_a_staple_for_another_certificate_reports_the_mismatch()
    {
        var first = _lab.GoodLeaf("first.example.test");
        var second = _lab.GoodLeaf("second.example.test");
        var staple = Path.Combine(Path.GetDirectoryName(first)!, "first.ocsp");
        Assert.Equal(ExitCodes.Good, (await CliRunner.RunAsync("export", first, "--out", staple)).ExitCode);

        var outcome = await CliRunner.RunAsync("test", staple, "--cert", second, "--json");

        Assert.Equal(ExitCodes.NotGood, outcome.ExitCode);
        Assert.Equal(new[] { "certIdMismatch" }, outcome.FindingCodes);
    }

    [Fact]
    public async Task Test_of_a_file_that_is_not_a_staple_is_a_usage_error_naming_it()
    {
        var cert = _lab.GoodLeaf("notastaple.example.test");
        var bogus = Path.Combine(Path.GetDirectoryName(cert)!, "bogus.ocsp");
        File.WriteAllText(bogus, "<html>oops</html>");

        var outcome = await CliRunner.RunAsync("test", bogus, "--cert", cert);

        Assert.Equal(ExitCodes.Usage, outcome.ExitCode);
        Assert.Contains($"Staple file '{bogus}'", outcome.StdErr);
    }

    [Fact]
    public async Task No_verify_is_visible_in_the_output()
    {
        var cert = _lab.GoodLeaf("noverify.example.test");
        _lab.Responder.Fault = Engine.Lab.LabFault.UnauthorizedDelegate;
        try
        {
            var outcome = await CliRunner.RunAsync("get", cert, "--no-verify");

            Assert.Equal(ExitCodes.Good, outcome.ExitCode);
            Assert.Contains("verification SKIPPED", outcome.StdOut);
            Assert.Contains("SignerNotAuthorized", outcome.StdOut);
        }
        finally
        {
            _lab.Responder.Fault = Engine.Lab.LabFault.None;
        }
    }

    [Fact]
    public async Task An_https_responder_is_trusted_through_the_system_or_the_ca_given_for_it()
    {
        await using var https = new Engine.Lab.LabResponder(_lab.Pki, https: true);
        var cert = _lab.GoodLeaf("https-responder.example.test");
        https.Add(Engine.Certificates.CertificateFile.Load(cert).Leaf);
        var cafile = Path.Combine(Path.GetDirectoryName(cert)!, "cafile.pem");
        Assert.Equal("https", https.Url.Scheme);

        var untrusted = await CliRunner.RunAsync("get", cert, "--responder", https.Url.ToString());
        var trusted = await CliRunner.RunAsync("get", cert, "--responder", https.Url.ToString(), "--responder-ca", cafile, "--json");

        Assert.Equal(ExitCodes.ResponderFailed, untrusted.ExitCode);
        Assert.Contains($"Cannot reach responder {https.Url}", untrusted.StdErr);
        Assert.True(trusted.ExitCode == ExitCodes.Good, trusted.ToString());
        Assert.Equal(https.Url.ToString(), trusted.Response.GetProperty("responderUrl").GetString());
    }
}
