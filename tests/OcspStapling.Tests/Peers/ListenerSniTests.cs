using OcspStapling.Engine.Tls;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Peers;

/// <summary>
/// Several certificates on one listener, chosen by the name the client sends (SNI), each with its own staple: seen by
/// OpenSSL's s_client and by GnuTLS, on both TLS fronts.
/// </summary>
public sealed class ListenerSniTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public ListenerSniTests(LabResponderFixture lab) => _lab = lab;

    [PeerTheory("openssl")]
    [InlineData(ListenerTls.OpenSsl, "-tls1_2")]
    [InlineData(ListenerTls.OpenSsl, "-tls1_3")]
    [InlineData(ListenerTls.SslStream, "-tls1_2")]
    [InlineData(ListenerTls.SslStream, "-tls1_3")]
    public async Task Each_server_name_gets_its_certificate_and_its_own_staple(ListenerTls tls, string protocol)
    {
        var (alpha, beta, _) = Sites($"{tls}{protocol}".Replace("-", "").ToLowerInvariant());
        await using var listener = await StaplingListener.StartAsync(ListenerFiles.Options(alpha.Path) with
        {
            Certificates = [alpha.Served, beta.Served],
            Tls = tls,
        });

        var toBeta = await SClient.StatusAsync(listener.Endpoint.Port, alpha.CaFile, beta.Name, protocol);
        Assert.Contains($"CN = {beta.Name}", toBeta.StdOut);
        Assert.Contains("Cert Status: revoked", toBeta.StdOut); // beta's own answer, not alpha's
        Assert.Contains("Verify return code: 0 (ok)", toBeta.StdOut);

        var toAlpha = await SClient.StatusAsync(listener.Endpoint.Port, alpha.CaFile, alpha.Name, protocol);
        Assert.Contains($"CN = {alpha.Name}", toAlpha.StdOut);
        Assert.Contains("Cert Status: good", toAlpha.StdOut);

        // No name, or a name no certificate has: the first certificate, as nginx's default server.
        var unnamed = await ProcessRunner.RunAsync("openssl", new[] { "s_client", "-connect", $"127.0.0.1:{listener.Endpoint.Port}", "-status", "-noservername", protocol }, stdin: "", timeout: TimeSpan.FromSeconds(20));
        Assert.Contains($"CN = {alpha.Name}", unnamed.StdOut);
        Assert.Contains("Cert Status: good", unnamed.StdOut);
        var unknown = await SClient.StatusAsync(listener.Endpoint.Port, alpha.CaFile, "nobody.example.test", protocol);
        Assert.Contains($"CN = {alpha.Name}", unknown.StdOut);

        Assert.Equal(4, listener.Handshakes);
        Assert.Equal(4, listener.StapledHandshakes);
        Assert.Equal(new[] { alpha.Name, beta.Name }, listener.Sites.Select(s => s.Names.Single()));
    }

    [PeerTheory("gnutls-cli")]
    [InlineData(ListenerTls.OpenSsl)]
    [InlineData(ListenerTls.SslStream)]
    public async Task Gnutls_verifies_the_named_certificate_and_its_staple(ListenerTls tls)
    {
        var (alpha, beta, gamma) = Sites("gnutls" + tls.ToString().ToLowerInvariant());
        await using var listener = await StaplingListener.StartAsync(ListenerFiles.Options(alpha.Path) with
        {
            Certificates = [alpha.Served, beta.Served, gamma.Served],
            Tls = tls,
        });

        // --verify-hostname fails unless the certificate served is gamma's; --ocsp fails unless the staple is gamma's.
        var toGamma = await Gnutls(listener, gamma);
        Assert.True(toGamma.ExitCode == 0, toGamma.All);
        Assert.Contains("The certificate is trusted", toGamma.All);

        var toBeta = await Gnutls(listener, beta);
        Assert.NotEqual(0, toBeta.ExitCode);
        Assert.Contains("revoked", toBeta.All, StringComparison.OrdinalIgnoreCase);
    }

    private Task<ProcessOutput> Gnutls(StaplingListener listener, LabSite site) => ProcessRunner.RunAsync("gnutls-cli", new[]
    {
        "--ocsp", "--x509cafile", site.RootFile, "-p", listener.Endpoint.Port.ToString(),
        "--sni-hostname", site.Name, "--verify-hostname", site.Name, "127.0.0.1",
    }, stdin: "", timeout: TimeSpan.FromSeconds(20));

    /// <summary>alpha and gamma answered "good", beta "revoked", each in its own directory with its key.</summary>
    private (LabSite Alpha, LabSite Beta, LabSite Gamma) Sites(string tag)
    {
        var alpha = LabSite.Of(_lab.GoodLeaf($"alpha-{tag}.sni.test"));
        var beta = LabSite.Of(_lab.GoodLeaf($"beta-{tag}.sni.test"));
        var gamma = LabSite.Of(_lab.GoodLeaf($"gamma-{tag}.sni.test"));
        _lab.Responder.SetStatus(beta.Served.Certificate, Engine.Protocol.CertStatus.Revoked);
        return (alpha, beta, gamma);
    }
}

/// <summary>A lab leaf's files (as LabFiles writes them) and the certificate loaded for serving.</summary>
public sealed record LabSite(string Name, string Path, ServedCertificate Served)
{
    public string CaFile => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!, "cafile.pem");

    public string RootFile => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!, "root.pem");

    public string KeyFile => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!, "key.pem");

    public static LabSite Of(string fullchain) => new(
        System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(fullchain))!,
        fullchain,
        ServedCertificate.Load(fullchain, System.IO.Path.Combine(System.IO.Path.GetDirectoryName(fullchain)!, "key.pem"), null));
}
