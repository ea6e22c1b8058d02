using OcspStapling.Cli;
using OcspStapling.Engine.Protocol;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Peers;

/// <summary>
/// The whole cron job against real peers: `update` over certbot's directory asks OpenSSL's responder, nginx staples
/// the exported &lt;name&gt;.ocsp, certbot renews the certificate, and after the deploy hook's update and nginx's
/// restart the server staples the new certificate's response, not the old one's.
/// </summary>
public sealed class RenewalWithNginxTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;
    private readonly SiteLayouts _layouts;

    public RenewalWithNginxTests(LabResponderFixture lab)
    {
        _lab = lab;
        _layouts = new SiteLayouts(lab);
    }

    [PeerFact("nginx", "openssl")]
    public async Task Nginx_staples_the_renewed_certificates_response_after_the_deploy_hook_runs_update()
    {
        using var dir = new TempDirectory();
        var le = dir.File("letsencrypt");
        var live = _layouts.Certbot(le, "shop");
        var cafile = LabFiles.WritePem(dir.File("cafile.pem"), _lab.Pki.Issuer, _lab.Pki.Root);
        var exports = dir.File("ocsp");
        var first = Leaf(live);
        var responder = await CaResponderAsync(dir, first);
        try
        {
            string[] Update() => new[] { "update", Path.Combine(le, "live"), "--store", dir.File("store"), "--export-dir", exports, "--responder", responder.Url.ToString(), "--interval", "30m" }; // its staples last 1 h

            var initial = await CliRunner.RunAsync(Update());
            var before = await ProbeAsync(dir, live, cafile, exports);

            _layouts.Certbot(le, "shop"); // certbot renew: same file names, a new certificate
            var renewed = Leaf(live);
            await responder.DisposeAsync(); // the CA's responder now knows the new certificate too
            responder = await CaResponderAsync(dir, first, renewed);
            var deployHook = await CliRunner.RunAsync(Update());
            var after = await ProbeAsync(dir, live, cafile, exports);

            Assert.True(initial.ExitCode == ExitCodes.Good, initial.ToString());
            Assert.True(before.ExitCode == ExitCodes.Good, before.ToString());
            Assert.Equal(first.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256).ToLowerInvariant(), before.Response.GetProperty("thumbprint").GetString());
            Assert.True(deployHook.ExitCode == ExitCodes.Good, deployHook + responder.Log);
            Assert.Contains("shop: stapled; valid until", deployHook.StdOut);
            Assert.Contains("this run: refreshed", deployHook.StdOut);
            Assert.True(after.ExitCode == ExitCodes.Good, after.ToString());
            Assert.DoesNotContain("certIdMismatch", after.StdOut, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(renewed.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256).ToLowerInvariant(), after.Response.GetProperty("thumbprint").GetString());
            Assert.Equal(new[] { "shop.ocsp" }, Directory.GetFiles(exports).Select(Path.GetFileName));
        }
        finally
        {
            await responder.DisposeAsync();
        }
    }

    private Task<OpenSslResponder> CaResponderAsync(TempDirectory dir, params System.Security.Cryptography.X509Certificates.X509Certificate2[] known) =>
        OpenSslResponder.StartAsync(_lab.Pki, Directory.CreateDirectory(dir.File("responder")).FullName, known.Select(c => (c, CertStatus.Good)), delegatedSigner: true);

    private static System.Security.Cryptography.X509Certificates.X509Certificate2 Leaf(string live) =>
        Engine.Certificates.CertificateFile.Load(Path.Combine(live, "cert.pem")).Leaf;

    /// <summary>Starts nginx on the site's files and exported staple (a restart: a fresh master reads everything), and probes it.</summary>
    private static async Task<CliOutcome> ProbeAsync(TempDirectory dir, string live, string cafile, string exports)
    {
        await using var nginx = await NginxServer.StartAsync(dir.Path, Path.Combine(live, "fullchain.pem"), Path.Combine(live, "privkey.pem"), cafile,
            Path.Combine(exports, "shop.ocsp"));
        return await CliRunner.RunAsync("test", "--host", $"127.0.0.1:{nginx.Port}", "--servername", "shop.example.test", "--trusted", cafile, "--json");
    }
}
