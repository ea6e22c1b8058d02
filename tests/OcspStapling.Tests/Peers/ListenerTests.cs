using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Net.Sockets;
using OcspStapling.Cli;
using OcspStapling.Engine.Tls;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Peers;

/// <summary>The stapling listener, seen by OpenSSL's own client.</summary>
public sealed class ListenerTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public ListenerTests(LabResponderFixture lab) => _lab = lab;

    [PeerTheory("openssl")]
    [InlineData("-tls1_2", ListenerTls.OpenSsl, "OpenSSL 3")]
    [InlineData("-tls1_3", ListenerTls.OpenSsl, "OpenSSL 3")]
    [InlineData("-tls1_2", ListenerTls.SslStream, "SslStream")]
    [InlineData("-tls1_3", ListenerTls.SslStream, "SslStream")]
    public async Task First_connection_is_stapled_good_and_verified(string protocol, ListenerTls tls, string implementation)
    {
        var cert = _lab.GoodLeaf("first" + protocol.Replace("-", "") + tls + ".example.test");
        await using var listener = await StaplingListener.StartAsync(ListenerFiles.Options(cert) with { Tls = tls });
        Assert.StartsWith(implementation, listener.TlsImplementation);

        var seen = await SClient.StatusAsync(listener.Endpoint.Port, Path.Combine(Path.GetDirectoryName(cert)!, "cafile.pem"), "first.example.test", protocol);

        Assert.Contains("OCSP Response Status: successful", seen.StdOut);
        Assert.Contains("Cert Status: good", seen.StdOut);
        Assert.Contains("Verify return code: 0 (ok)", seen.StdOut);
        Assert.Equal(1, listener.Handshakes);
        Assert.Equal(1, listener.StapledHandshakes);

        var port = listener.Endpoint.Port;
        await listener.DisposeAsync();
        Assert.Equal(port, listener.Endpoint.Port); // still says where it was, for Stop-StaplingListener -PassThru
        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(async () =>
        {
            using var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
        });
    }
}

/// <summary>A certificate object with an ECDSA key, as from a certificate store: no files, no RSA.</summary>
public sealed class ListenerCertificateObjectTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public ListenerCertificateObjectTests(LabResponderFixture lab) => _lab = lab;

    [PeerTheory("openssl")]
    [InlineData(ListenerTls.OpenSsl)]
    [InlineData(ListenerTls.SslStream)]
    public async Task An_ECDSA_certificate_object_is_served_and_stapled(ListenerTls tls)
    {
        var name = "ecdsa" + tls + ".example.test";
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension(new[] { _lab.Responder.Url.ToString() }, null));
        var serial = RandomNumberGenerator.GetBytes(8);
        serial[0] &= 0x7f;
        using var issuerKey = _lab.Pki.Issuer.GetRSAPrivateKey()!;
        using var issued = request.Create(_lab.Pki.Issuer.SubjectName, X509SignatureGenerator.CreateForRSA(issuerKey, RSASignaturePadding.Pkcs1),
            DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(30), serial);
        using var leaf = issued.CopyWithPrivateKey(key);
        _lab.Responder.Add(leaf);
        var caFile = Path.Combine(Path.GetDirectoryName(_lab.GoodLeaf("ecdsa-ca" + tls + ".example.test"))!, "cafile.pem");

        await using var listener = await StaplingListener.StartAsync(new ListenerOptions { Certificates = [new ServedCertificate(leaf, new X509Certificate2Collection(_lab.Pki.Issuer))], Tls = tls });
        var seen = await SClient.StatusAsync(listener.Endpoint.Port, caFile, name, "-tls1_3");

        Assert.Contains("Cert Status: good", seen.StdOut);
        Assert.Contains("Verify return code: 0 (ok)", seen.StdOut);
        Assert.Contains("Peer signature type: ECDSA", seen.StdOut + seen.StdErr);
    }
}

/// <summary>Returning clients skip the full handshake (session tickets) unless resumption is turned off.</summary>
public sealed class ListenerResumptionTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public ListenerResumptionTests(LabResponderFixture lab) => _lab = lab;

    [PeerTheory("openssl")]
    [InlineData(ListenerTls.OpenSsl, "-tls1_2", true)]
    [InlineData(ListenerTls.OpenSsl, "-tls1_3", true)]
    [InlineData(ListenerTls.OpenSsl, "-tls1_2", false)]
    [InlineData(ListenerTls.OpenSsl, "-tls1_3", false)]
    [InlineData(ListenerTls.SslStream, "-tls1_2", true)]
    [InlineData(ListenerTls.SslStream, "-tls1_3", true)]
    [InlineData(ListenerTls.SslStream, "-tls1_2", false)]
    [InlineData(ListenerTls.SslStream, "-tls1_3", false)]
    public async Task A_returning_client_resumes_only_when_resumption_is_allowed(ListenerTls tls, string protocol, bool allowResumption)
    {
        var cert = _lab.GoodLeaf($"resume{tls}{protocol}{allowResumption}.example.test".Replace("-", ""));
        await using var listener = await StaplingListener.StartAsync(ListenerFiles.Options(cert) with { Tls = tls, AllowResumption = allowResumption });
        using var dir = new TempDirectory();
        var session = dir.File("session.pem");

        var first = await SClient.RequestAsync(listener.Endpoint.Port, protocol, "-sess_out", session);
        Assert.Contains("OcspStapling listener for", first.StdOut); // the status page: the request was served
        var second = File.Exists(session) ? (await SClient.RequestAsync(listener.Endpoint.Port, protocol, "-sess_in", session)).StdOut : "(no session to offer)";

        if (allowResumption)
            Assert.Contains("Reused, TLSv1.", second);
        else
            Assert.DoesNotContain("Reused,", second);
    }
}

/// <summary>Clients that connect and go quiet are hung up on after the handshake timeout; nobody else waits for them.</summary>
public sealed class ListenerTimeoutTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public ListenerTimeoutTests(LabResponderFixture lab) => _lab = lab;

    [PeerTheory("openssl")]
    [InlineData(ListenerTls.OpenSsl)]
    [InlineData(ListenerTls.SslStream)]
    public async Task Silent_clients_are_dropped_after_the_timeout_while_others_are_served(ListenerTls tls)
    {
        var cert = _lab.GoodLeaf("silent" + tls + ".example.test");
        await using var listener = await StaplingListener.StartAsync(ListenerFiles.Options(cert) with { Tls = tls, HandshakeTimeout = TimeSpan.FromSeconds(1) });
        // One says nothing at all; one completes its handshake and then asks nothing.
        using var mute = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await mute.ConnectAsync(listener.Endpoint);
        using var idle = new TcpClient();
        await idle.ConnectAsync(listener.Endpoint);
        await using var idleTls = new SslStream(idle.GetStream(), false, (_, _, _, _) => true);
        await idleTls.AuthenticateAsClientAsync("silent.example.test");

        var served = await SClient.StatusAsync(listener.Endpoint.Port, Path.Combine(Path.GetDirectoryName(cert)!, "cafile.pem"), "silent.example.test");

        Assert.Contains("Cert Status: good", served.StdOut);
        Assert.Equal(0, await EndOfStream(token => mute.ReceiveAsync(new byte[1], SocketFlags.None, token).AsTask()));
        Assert.Equal(0, await EndOfStream(token => idleTls.ReadAsync(new byte[1], token).AsTask()));
        Assert.Equal(1, listener.FailedHandshakes);
        Assert.Equal(2, listener.Handshakes);
    }

    /// <summary>0 when the listener ended the connection (FIN or reset) within ten seconds; a test failure otherwise.</summary>
    private static async Task<int> EndOfStream(Func<CancellationToken, Task<int>> read)
    {
        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            return await read(giveUp.Token);
        }
        catch (Exception e) when (e is SocketException or IOException && !giveUp.IsCancellationRequested)
        {
            return 0; // reset: ended too
        }
    }
}

/// <summary>The listener's staple changes as its sources change, without a restart or a dropped connection.</summary>
public sealed class ListenerStapleLifecycleTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public ListenerStapleLifecycleTests(LabResponderFixture lab) => _lab = lab;

    [PeerFact("openssl")]
    public async Task A_new_staple_written_to_the_file_is_served_on_the_next_handshake()
    {
        var cert = _lab.GoodLeaf("hotswap.example.test");
        var dir = Path.GetDirectoryName(cert)!;
        var staple = Path.Combine(dir, "site.ocsp");
        Assert.Equal(ExitCodes.Good, (await CliRunner.RunAsync("export", cert, "--out", staple)).ExitCode);
        await using var listener = await StaplingListener.StartAsync(ListenerFiles.Options(cert, staple));
        var before = ProducedAt(await SClient.StatusAsync(listener.Endpoint.Port, Path.Combine(dir, "cafile.pem"), "hotswap.example.test"));

        await Task.Delay(1100); // producedAt has one-second resolution
        Assert.Equal(ExitCodes.Good, (await CliRunner.RunAsync("export", cert, "--out", staple)).ExitCode);
        var after = await Eventually.Value(async () => ProducedAt(await SClient.StatusAsync(listener.Endpoint.Port, Path.Combine(dir, "cafile.pem"), "hotswap.example.test")), p => p != before);

        Assert.NotEqual(before, after);
        Assert.Null(listener.LastRefreshError);
    }

    [PeerFact("openssl")]
    public async Task An_invalid_file_does_not_replace_the_valid_staple()
    {
        var cert = _lab.GoodLeaf("badfile.example.test");
        var dir = Path.GetDirectoryName(cert)!;
        var staple = Path.Combine(dir, "site.ocsp");
        Assert.Equal(ExitCodes.Good, (await CliRunner.RunAsync("export", cert, "--out", staple)).ExitCode);
        await using var listener = await StaplingListener.StartAsync(ListenerFiles.Options(cert, staple));

        File.WriteAllText(staple, "<html>not a staple</html>");
        await Eventually.ValueOf(() => listener.LastRefreshError, e => e != null);
        var seen = await SClient.StatusAsync(listener.Endpoint.Port, Path.Combine(dir, "cafile.pem"), "badfile.example.test");

        Assert.Contains("Cert Status: good", seen.StdOut);
        Assert.Contains("not a DER OCSP response", listener.LastRefreshError);
    }

    [PeerTheory("openssl")]
    [InlineData(ListenerTls.OpenSsl)]
    [InlineData(ListenerTls.SslStream)]
    public async Task An_expired_staple_is_no_longer_served(ListenerTls tls)
    {
        var cert = _lab.GoodLeaf("expiring" + tls + ".example.test");
        var dir = Path.GetDirectoryName(cert)!;
        var staple = Path.Combine(dir, "site.ocsp");
        _lab.Responder.Validity = TimeSpan.FromSeconds(4);
        try
        {
            Assert.Equal(ExitCodes.Good, (await CliRunner.RunAsync("export", cert, "--out", staple)).ExitCode);
        }
        finally
        {
            _lab.Responder.Validity = TimeSpan.FromDays(4);
        }
        await using var listener = await StaplingListener.StartAsync(ListenerFiles.Options(cert, staple) with { Tls = tls });
        var fresh = await SClient.StatusAsync(listener.Endpoint.Port, Path.Combine(dir, "cafile.pem"), "expiring.example.test");
        Assert.Contains("Cert Status: good", fresh.StdOut);

        await Task.Delay(listener.NextUpdate!.Value - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(500));
        var stale = await SClient.StatusAsync(listener.Endpoint.Port, Path.Combine(dir, "cafile.pem"), "expiring.example.test");

        Assert.Contains("OCSP response: no response sent", stale.StdOut);
        Assert.Null(listener.Staple);
    }

    [PeerFact("openssl")]
    public async Task A_responder_that_goes_down_leaves_the_valid_staple_in_place()
    {
        var cert = _lab.GoodLeaf("outage.example.test");
        var dir = Path.GetDirectoryName(cert)!;
        var options = ListenerFiles.Options(cert) with
        {
            Refresh = Engine.Refresh.RefreshPolicy.Default with { DueFraction = 0, MinimumInterval = TimeSpan.FromMilliseconds(200), FirstRetryDelay = TimeSpan.FromMilliseconds(200) },
        };
        await using var listener = await StaplingListener.StartAsync(options);
        _lab.Responder.Fault = Engine.Lab.LabFault.Http500;
        var firstFetch = listener.LastRefresh;

        try
        {
            await Eventually.ValueOf(() => listener.LastRefreshError, e => e != null);
            var seen = await SClient.StatusAsync(listener.Endpoint.Port, Path.Combine(dir, "cafile.pem"), "outage.example.test");

            Assert.Contains("Cert Status: good", seen.StdOut);
            Assert.Contains("HTTP 500", listener.LastRefreshError);
            Assert.Equal(firstFetch, listener.LastRefresh);
            Assert.NotNull(listener.Staple);
        }
        finally
        {
            _lab.Responder.Fault = Engine.Lab.LabFault.None;
        }
        await Eventually.ValueOf(() => listener.LastRefreshError, e => e == null);
    }

    private static string ProducedAt(ProcessOutput output) =>
        output.StdOut.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("Produced At:")) ?? throw new Xunit.Sdk.XunitException("no staple seen: " + output.All);

}
