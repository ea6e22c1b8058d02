using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Peers;

/// <summary>
/// The lab responder behind `demo` speaks HTTP as responder peers expect: nginx (fetching its own staples) and
/// GnuTLS's ocsptool ask over HTTP/1.0 and read until the server closes, which it now does.
/// </summary>
public sealed class LabResponderPeerTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public LabResponderPeerTests(LabResponderFixture lab) => _lab = lab;

    [PeerFact("nginx", "openssl")]
    public async Task Nginx_fetching_its_own_staple_from_the_lab_responder_staples_it()
    {
        var cert = _lab.GoodLeaf("nginxfetch.example.test");
        var dir = Path.GetDirectoryName(cert)!;
        await using var nginx = await NginxServer.StartAsync(dir, cert, Path.Combine(dir, "key.pem"), Path.Combine(dir, "cafile.pem"), stapleFile: null, responder: _lab.Responder.Url);

        // nginx fetches on the first handshake and staples from a later one.
        var seen = await Eventually.Value(() => SClient.StatusAsync(nginx.Port, Path.Combine(dir, "cafile.pem"), "nginxfetch.example.test"),
            s => s.StdOut.Contains("Cert Status: good"), timeoutMs: 20_000);

        Assert.Contains("Cert Status: good", seen.StdOut);
        Assert.DoesNotContain("timed out", nginx.ErrorLog);
    }

    [PeerFact("ocsptool")]
    public async Task Gnutls_ocsptool_asks_the_lab_responder_and_gets_good()
    {
        var cert = _lab.GoodLeaf("ocsptool.example.test");
        var dir = Path.GetDirectoryName(cert)!;

        var asked = await ProcessRunner.RunAsync("ocsptool", new[]
        {
            "--ask=" + _lab.Responder.Url, "--load-cert", Path.Combine(dir, "leaf.pem"), "--load-issuer", Path.Combine(dir, "issuer.pem"), "--load-signer", Path.Combine(dir, "issuer.pem"),
        }, timeout: TimeSpan.FromSeconds(20));

        Assert.True(asked.ExitCode == 0, asked.All);
        Assert.Contains("Certificate Status: good", asked.All);
        Assert.Contains("Verifying OCSP Response: Success", asked.All);
    }
}
