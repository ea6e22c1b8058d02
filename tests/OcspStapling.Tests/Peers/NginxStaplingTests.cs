using OcspStapling.Cli;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Peers;

/// <summary>nginx loads the file `ocspstaple export` writes as its ssl_stapling_file, and staples it.</summary>
public sealed class NginxStaplingTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public NginxStaplingTests(LabResponderFixture lab) => _lab = lab;

    [PeerTheory("nginx", "openssl")]
    [InlineData("-tls1_2")]
    [InlineData("-tls1_3")]
    public async Task Nginx_staples_the_exported_file_and_s_client_sees_it_good(string protocol)
    {
        var cert = _lab.GoodLeaf("nginx" + protocol.Replace("-", "") + ".example.test");
        var dir = Path.GetDirectoryName(cert)!;
        var staple = Path.Combine(dir, "ocsp.der");
        var export = await CliRunner.RunAsync("export", cert, "--out", staple);
        Assert.True(export.ExitCode == ExitCodes.Good, export.ToString());

        await using var nginx = await NginxServer.StartAsync(dir, cert, Path.Combine(dir, "key.pem"), Path.Combine(dir, "cafile.pem"), staple);
        var seen = await SClient.StatusAsync(nginx.Port, Path.Combine(dir, "cafile.pem"), "nginx.example.test", protocol);

        Assert.Contains("OCSP Response Status: successful", seen.StdOut);
        Assert.Contains("Cert Status: good", seen.StdOut);
        Assert.Contains("Verify return code: 0 (ok)", seen.StdOut);
    }
}
