using OcspStapling.Cli;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Peers;

/// <summary>A renewal the responder does not know yet never leaves nginx unable to load its configuration.</summary>
public sealed class RenewalNginxTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;
    private readonly SiteLayouts _layouts;

    public RenewalNginxTests(LabResponderFixture lab)
    {
        _lab = lab;
        _layouts = new SiteLayouts(lab);
    }

    [PeerFact("nginx", "openssl")]
    public async Task Nginx_still_loads_and_restarts_after_a_renewal_whose_staple_cannot_be_fetched()
    {
        using var dir = new TempDirectory();
        var le = dir.File("le");
        var live = _layouts.Certbot(le, "unknownyet");
        var exports = dir.File("ocsp");
        var caFile = LabFiles.WritePem(dir.File("ca.pem"), _lab.Pki.Issuer);
        var server = Directory.CreateDirectory(dir.File("nginx")).FullName;
        var site = new NginxSite(null, Path.Combine(live, "fullchain.pem"), Path.Combine(live, "privkey.pem"), Path.Combine(exports, "unknownyet.ocsp"));
        Assert.Equal(ExitCodes.Good, (await CliRunner.RunAsync("update", live, "--store", dir.File("store"), "--export-dir", exports)).ExitCode);
        await using (await NginxServer.StartAsync(server, new[] { site }, caFile))
        {
        }
        // certbot renew with a certificate the responder has never heard of
        _layouts.Certbot(le, "unknownyet", _lab.Pki.IssueLeaf("unknownyet.example.test", new[] { _lab.Responder.Url.ToString() }));

        var outcome = await CliRunner.RunAsync("update", live, "--store", dir.File("store"), "--export-dir", exports);
        var check = await ProcessRunner.RunAsync("nginx", new[] { "-t", "-p", server, "-c", Path.Combine(server, "nginx.conf") }, stdin: "", timeout: TimeSpan.FromSeconds(20));
        await using var restarted = await NginxServer.StartAsync(server, new[] { site }, caFile);
        var served = await SClient.StatusAsync(restarted.Port, caFile, "unknownyet.example.test");

        Assert.True(outcome.ExitCode == ExitCodes.ResponderFailed, outcome.ToString());
        Assert.Contains("unknownyet: NO VALID STAPLE", outcome.StdOut);
        Assert.Contains("still holds the previous certificate's staple, kept so the server can load its configuration", outcome.StdOut);
        Assert.True(check.ExitCode == 0, check.All);
        Assert.True(served.StdOut.Contains("0 s:CN = unknownyet.example.test"), served.All); // nginx is up and serves the site
    }
}
