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
