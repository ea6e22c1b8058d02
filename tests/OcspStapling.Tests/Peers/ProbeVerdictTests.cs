using OcspStapling.Cli;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Peers;

/// <summary>`test --host` judges what a server staples by the same policy as update, status and `test FILE`.</summary>
public sealed class ProbeVerdictTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public ProbeVerdictTests(LabResponderFixture lab) => _lab = lab;

    [PeerFact("nginx")]
    public async Task A_server_whose_certificate_names_no_responder_has_nothing_to_staple_and_passes()
    {
        var cert = _lab.GoodLeaf("probe-noocsp.example.test", ocspUrls: Array.Empty<string>());
        var dir = Path.GetDirectoryName(cert)!;
        await using var nginx = await NginxServer.StartAsync(dir, cert, Path.Combine(dir, "key.pem"), Path.Combine(dir, "cafile.pem"), stapleFile: null);

        var outcome = await CliRunner.RunAsync("test", "--host", $"127.0.0.1:{nginx.Port}");

        Assert.True(outcome.ExitCode == ExitCodes.Good, outcome.ToString()); // as update and status say "no OCSP", exit 0
        Assert.Contains("no OCSP", outcome.StdOut);
        Assert.DoesNotContain("NOT stapled", outcome.StdOut);
    }

    [PeerFact("nginx")]
    public async Task No_verify_reports_an_unverifiable_answer_with_the_same_exit_code_for_a_file_and_for_the_server_stapling_it()
    {
        var cert = _lab.GoodLeaf("probe-noverify.example.test");
        var dir = Path.GetDirectoryName(cert)!;
        var staple = Path.Combine(dir, "staple.der");
        _lab.Responder.Fault = Engine.Lab.LabFault.WrongSigner; // a good answer whose signature does not verify
        try
        {
            await CliRunner.RunAsync("export", cert, "--out", staple, "--force");
        }
        finally
        {
            _lab.Responder.Fault = Engine.Lab.LabFault.None;
        }
        await using var nginx = await NginxServer.StartAsync(dir, cert, Path.Combine(dir, "key.pem"), Path.Combine(dir, "cafile.pem"), staple);

        var file = await CliRunner.RunAsync("test", staple, "--cert", cert, "--no-verify");
        var host = await CliRunner.RunAsync("test", "--host", $"127.0.0.1:{nginx.Port}", "--servername", "probe-noverify.example.test", "--no-verify", "--json");

        Assert.True(file.ExitCode == ExitCodes.Good, file.ToString());
        Assert.True(host.ExitCode == file.ExitCode, host.ToString());
        Assert.True(host.Json.GetProperty("probe").GetProperty("passed").GetBoolean());
    }
}
