using System.Diagnostics;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Peers;

/// <summary>
/// `ocspstaple listen` as an administrator runs it: one line when ready, stapled from connection one, a clean exit on
/// SIGINT. Proven on .NET 8 (what PowerShell 7.4 runs on, through a self-contained net8.0 publish) as well as on the
/// .NET 10 installed here, with each TLS front: OpenSSL's own API for one, SslStreamCertificateContext's private
/// fields (which differ between .NET versions) for the other.
/// </summary>
[Collection(PublishingCollection.Name)]
public sealed class CliListenTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public CliListenTests(LabResponderFixture lab) => _lab = lab;

    [PeerFact("openssl")]
    public async Task Listen_on_the_installed_runtime_staples_and_stops_cleanly_on_sigint()
    {
        await ListenAndProbeAsync(Path.Combine(AppContext.BaseDirectory, "ocspstaple"), "cli10.example.test", "openssl", "OpenSSL 3");
        await ListenAndProbeAsync(Path.Combine(AppContext.BaseDirectory, "ocspstaple"), "cli10s.example.test", "sslstream", "SslStream");
    }

    [PeerFact("openssl")]
    public async Task Listen_published_self_contained_for_net8_staples_too()
    {
        using var publish = new TempDirectory();
        var built = await ProcessRunner.RunAsync("dotnet", new[]
        {
            "publish", Path.Combine(RepoRoot.Path, "src", "OcspStapling.Cli", "OcspStapling.Cli.csproj"),
            "-c", "Release", "-r", "linux-x64", "--self-contained", "true", "-o", publish.Path, "--nologo",
        }, timeout: TimeSpan.FromMinutes(5));
        Assert.True(built.ExitCode == 0, built.All);
        var coreLib = FileVersionInfo.GetVersionInfo(Path.Combine(publish.Path, "System.Private.CoreLib.dll"));
        Assert.Equal(8, coreLib.FileMajorPart);

        await ListenAndProbeAsync(publish.File("ocspstaple"), "cli8.example.test", "openssl", "OpenSSL 3");
        await ListenAndProbeAsync(publish.File("ocspstaple"), "cli8s.example.test", "sslstream", "SslStream");
    }

    [Fact]
    public async Task Listen_logs_timestamped_lines_with_levels_and_with_json_one_json_object_per_line()
    {
        var cert = _lab.GoodLeaf("cli-json.example.test");
        var key = Path.Combine(Path.GetDirectoryName(cert)!, "key.pem");
        var program = Path.Combine(AppContext.BaseDirectory, "ocspstaple");

        var port = FreePort.Next();
        await using (var text = BackgroundProcess.Start(program, new[] { "listen", "--cert", cert, "--key", key, "--port", port.ToString() }))
        {
            await text.WaitForOutputAsync("listening on", TimeSpan.FromSeconds(30));
            Assert.Equal(0, await text.InterruptAsync(TimeSpan.FromSeconds(10)));
            var lines = text.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info listening on 127\.0\.0\.1:\d+ for CN=cli-json\.example\.test: stapling good", Assert.Single(lines, l => l.Contains("listening on")));
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\S+Z info stopped after 0 handshakes", Assert.Single(lines, l => l.Contains("stopped after")));
        }

        port = FreePort.Next();
        await using var json = BackgroundProcess.Start(program, new[] { "listen", "--cert", cert, "--key", key, "--port", port.ToString(), "--json", "-v" });
        await json.WaitForOutputAsync("listening on", TimeSpan.FromSeconds(30));
        Assert.Equal(0, await json.InterruptAsync(TimeSpan.FromSeconds(10)));
        var records = json.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        Assert.All(records, r =>
        {
            Assert.Equal(new[] { "level", "message", "millisecond", "time" }, r.EnumerateObject().Select(p => p.Name).Order());
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", r.GetProperty("time").GetString()); // what jq's fromdateiso8601 reads
            Assert.Contains(r.GetProperty("level").GetString(), new[] { "info", "debug", "warning" });
            Assert.EndsWith("Z", r.GetProperty("time").GetString());
            Assert.True(DateTimeOffset.TryParse(r.GetProperty("time").GetString(), out _));
        });
        Assert.Contains(records, r => r.GetProperty("level").GetString() == "debug"); // -v: the listener's own account
        Assert.Equal("info", records.Single(r => r.GetProperty("message").GetString()!.StartsWith($"listening on 127.0.0.1:{port}")).GetProperty("level").GetString());
        Assert.StartsWith("stopped after 0 handshakes", records[^1].GetProperty("message").GetString());
    }

    private async Task ListenAndProbeAsync(string program, string name, string tls, string implementation)
    {
        var cert = _lab.GoodLeaf(name);
        var dir = Path.GetDirectoryName(cert)!;
        var port = FreePort.Next();
        await using var listen = BackgroundProcess.Start(program, new[] { "listen", "--cert", cert, "--key", Path.Combine(dir, "key.pem"), "--port", port.ToString(), "--tls", tls, "-v" });
        await listen.WaitForOutputAsync("listening on", TimeSpan.FromSeconds(30));
        Assert.Contains($"listening on 127.0.0.1:{port} for CN={name}: stapling good", listen.Output);
        Assert.Contains($"TLS handshakes by {implementation}", listen.Output);

        var seen = await SClient.StatusAsync(port, Path.Combine(dir, "cafile.pem"), name, "-tls1_3");
        Assert.Contains("Cert Status: good", seen.StdOut);

        Assert.Equal(0, await listen.InterruptAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("stopped after 1 handshakes (1 stapled)", listen.Output);
    }
}
