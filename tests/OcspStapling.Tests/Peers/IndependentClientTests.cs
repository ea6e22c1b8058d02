using OcspStapling.Engine.Tls;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Peers;

/// <summary>
/// The listener's staple judged by TLS stacks other than OpenSSL's own client: GnuTLS (`gnutls-cli --ocsp`) and
/// curl (`--cert-status`), on both TLS fronts, TLS 1.2 and 1.3. Each requires and verifies the staple.
/// </summary>
public sealed class IndependentClientTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public IndependentClientTests(LabResponderFixture lab) => _lab = lab;

    [PeerTheory("gnutls-cli")]
    [InlineData(ListenerTls.OpenSsl, "NORMAL:-VERS-ALL:+VERS-TLS1.2")]
    [InlineData(ListenerTls.OpenSsl, "NORMAL:-VERS-ALL:+VERS-TLS1.3")]
    [InlineData(ListenerTls.SslStream, "NORMAL:-VERS-ALL:+VERS-TLS1.2")]
    [InlineData(ListenerTls.SslStream, "NORMAL:-VERS-ALL:+VERS-TLS1.3")]
    public async Task Gnutls_cli_requires_and_accepts_the_staple(ListenerTls tls, string priority)
    {
        var name = $"gnutls{tls}{priority[^1]}.example.test".ToLowerInvariant();
        var cert = _lab.GoodLeaf(name);
        await using var listener = await StaplingListener.StartAsync(ListenerFiles.Options(cert) with { Tls = tls });

        var seen = await ProcessRunner.RunAsync("gnutls-cli", new[]
        {
            "--ocsp", "--x509cafile", Path.Combine(Path.GetDirectoryName(cert)!, "root.pem"), "--priority", priority,
            "-p", listener.Endpoint.Port.ToString(), "--sni-hostname", name, "--verify-hostname", name, "127.0.0.1",
        }, stdin: "", timeout: TimeSpan.FromSeconds(20));

        Assert.True(seen.ExitCode == 0, seen.All);
        // With --ocsp, GnuTLS validates the staple it asked for (status_request) and fails a revoked one (below).
        Assert.Contains("The certificate is trusted", seen.All);
        Assert.Contains("OCSP status request", seen.All);
        Assert.Equal(1, listener.StapledHandshakes);
    }

    [PeerTheory("curl")]
    [InlineData(ListenerTls.OpenSsl, "--tlsv1.2", "--tls-max", "1.2")]
    [InlineData(ListenerTls.OpenSsl, "--tlsv1.3", "--tls-max", "1.3")]
    [InlineData(ListenerTls.SslStream, "--tlsv1.2", "--tls-max", "1.2")]
    [InlineData(ListenerTls.SslStream, "--tlsv1.3", "--tls-max", "1.3")]
    public async Task Curl_cert_status_requires_and_accepts_the_staple(ListenerTls tls, string min, string maxOption, string max)
    {
        var name = $"curl{tls}{max}.example.test".ToLowerInvariant().Replace(".", "") + ".example.test";
        var cert = _lab.GoodLeaf(name);
        await using var listener = await StaplingListener.StartAsync(ListenerFiles.Options(cert) with { Tls = tls });
        var port = listener.Endpoint.Port;

        var seen = await ProcessRunner.RunAsync("curl", new[]
        {
            "--silent", "--show-error", "--cert-status", min, maxOption, max, "--cacert", Path.Combine(Path.GetDirectoryName(cert)!, "root.pem"),
            "--resolve", $"{name}:{port}:127.0.0.1", "--max-time", "15", "--output", "/dev/null", "--write-out", "%{http_code}", $"https://{name}:{port}/",
        }, timeout: TimeSpan.FromSeconds(20));

        Assert.True(seen.ExitCode == 0, seen.All);
        Assert.Equal(1, listener.StapledHandshakes);
    }

    [PeerFact("gnutls-cli")]
    public async Task Gnutls_cli_refuses_a_revoked_staple()
    {
        var name = "gnutlsrevoked.example.test";
        var cert = _lab.GoodLeaf(name);
        _lab.Responder.SetStatus(Engine.Certificates.CertificateFile.Load(cert).Leaf, Engine.Protocol.CertStatus.Revoked);
        await using var listener = await StaplingListener.StartAsync(ListenerFiles.Options(cert));

        var seen = await ProcessRunner.RunAsync("gnutls-cli", new[]
        {
            "--ocsp", "--x509cafile", Path.Combine(Path.GetDirectoryName(cert)!, "root.pem"), "-p", listener.Endpoint.Port.ToString(),
            "--sni-hostname", name, "--verify-hostname", name, "127.0.0.1",
        }, stdin: "", timeout: TimeSpan.FromSeconds(20));

        Assert.NotEqual(0, seen.ExitCode);
        Assert.Contains("revoked", seen.All, StringComparison.OrdinalIgnoreCase);
    }
}
