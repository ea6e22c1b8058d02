using OcspStapling.Cli;
using OcspStapling.Engine.Tls;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Peers;

/// <summary>`ocspstaple test --host` reads what real servers staple, and says plainly when they do not.</summary>
public sealed class ProbeTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public ProbeTests(LabResponderFixture lab) => _lab = lab;

    private async Task<(string Cert, string Dir, string Staple)> ExportedAsync(string name)
    {
        var cert = _lab.GoodLeaf(name);
        var dir = Path.GetDirectoryName(cert)!;
        var staple = Path.Combine(dir, "staple.der");
        var export = await CliRunner.RunAsync("export", cert, "--out", staple);
        Assert.True(export.ExitCode == ExitCodes.Good, export.ToString());
        return (cert, dir, staple);
    }

    [PeerFact("nginx")]
    public async Task Reads_the_staple_nginx_serves_from_ssl_stapling_file()
    {
        var (cert, dir, staple) = await ExportedAsync("probe-nginx.example.test");
        await using var nginx = await NginxServer.StartAsync(dir, cert, Path.Combine(dir, "key.pem"), Path.Combine(dir, "cafile.pem"), staple);

        var outcome = await CliRunner.RunAsync("test", "--host", $"127.0.0.1:{nginx.Port}", "--servername", "probe-nginx.example.test", "--json");

        Assert.True(outcome.ExitCode == ExitCodes.Good, outcome.ToString());
        Assert.True(outcome.Json.GetProperty("probe").GetProperty("stapled").GetBoolean());
        Assert.Equal("good", outcome.Response.GetProperty("certStatus").GetString());
        Assert.Equal(2, outcome.Json.GetProperty("probe").GetProperty("chain").GetArrayLength());
    }

    [PeerFact("nginx")]
    public async Task Says_not_stapled_for_nginx_with_stapling_off()
    {
        var (cert, dir, _) = await ExportedAsync("probe-off.example.test");
        await using var nginx = await NginxServer.StartAsync(dir, cert, Path.Combine(dir, "key.pem"), Path.Combine(dir, "cafile.pem"), stapleFile: null);

        var outcome = await CliRunner.RunAsync("test", "--host", $"127.0.0.1:{nginx.Port}");

        Assert.Equal(ExitCodes.NotGood, outcome.ExitCode);
        Assert.Contains("NOT stapled", outcome.StdOut);
        Assert.Contains("CN=probe-off.example.test", outcome.StdOut);
    }

    [PeerFact("openssl")]
    public async Task Reads_the_staple_of_openssl_s_server_status_file()
    {
        var (cert, dir, staple) = await ExportedAsync("probe-sserver.example.test");
        var port = FreePort.Next();
        await using var server = BackgroundProcess.Start("openssl", new[]
        {
            "s_server", "-accept", $"127.0.0.1:{port}", "-cert", Path.Combine(dir, "leaf.pem"), "-key", Path.Combine(dir, "key.pem"),
            "-cert_chain", Path.Combine(dir, "issuer.pem"), "-status_file", staple, "-www", "-quiet",
        });
        await FreePort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(10), () => server.Output);

        var outcome = await CliRunner.RunAsync("test", "--host", $"127.0.0.1:{port}", "--servername", "probe-sserver.example.test");

        Assert.True(outcome.ExitCode == ExitCodes.Good, outcome.ToString() + server.Output);
        Assert.Contains("stapled, good, verified", outcome.StdOut);
    }

    [PeerFact("haproxy")]
    public async Task Reads_the_staple_haproxy_loads_from_cert_ocsp()
    {
        var (cert, dir, staple) = await ExportedAsync("probe-haproxy.example.test");
        await using var haproxy = await HaproxyServer.StartAsync(dir, Path.Combine(dir, "leaf.pem"), Path.Combine(dir, "key.pem"), Path.Combine(dir, "issuer.pem"), staple);

        var outcome = await CliRunner.RunAsync("test", "--host", $"127.0.0.1:{haproxy.Port}", "--json");

        Assert.True(outcome.ExitCode == ExitCodes.Good, outcome.ToString() + haproxy.Output);
        Assert.True(outcome.Json.GetProperty("probe").GetProperty("passed").GetBoolean());
    }

    [Fact]
    public async Task Reads_the_staple_of_the_stapling_listener()
    {
        var cert = _lab.GoodLeaf("probe-listener.example.test", mustStaple: true);
        await using var listener = await StaplingListener.StartAsync(ListenerFiles.Options(cert));

        var probe = await StapleProbe.ProbeAsync("127.0.0.1", listener.Endpoint.Port, "probe-listener.example.test", Engine.Operations.FetchOptions.Default, TimeSpan.FromSeconds(5));

        Assert.True(probe.Passed, probe.ToString());
        Assert.True(probe.MustStaple);
        Assert.Equal(listener.Staple!.Response.RawData, probe.Staple!.Response.RawData);
    }

    [Fact]
    public async Task A_refused_connection_exits_3_naming_the_host()
    {
        var port = FreePort.Next();
        var outcome = await CliRunner.RunAsync("test", "--host", $"127.0.0.1:{port}");

        Assert.Equal(ExitCodes.ResponderFailed, outcome.ExitCode);
        Assert.Contains($"127.0.0.1:{port}", outcome.StdErr);
    }

    [Fact]
    public async Task A_plain_http_service_is_named_as_not_tls()
    {
        await using var http = OneShotServer.Start(async stream =>
        {
            await stream.ReadAsync(new byte[4096]);
            await stream.WriteAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"u8.ToArray());
        });

        var outcome = await CliRunner.RunAsync("test", "--host", $"127.0.0.1:{http.Port}");

        Assert.Equal(ExitCodes.ResponderFailed, outcome.ExitCode);
        Assert.Contains("plain HTTP, not TLS", outcome.StdErr);
    }

    [Fact]
    public async Task A_silent_server_times_out_with_the_host_in_the_message()
    {
        var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        try
        {
            var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
            var outcome = await CliRunner.RunAsync("test", "--host", $"127.0.0.1:{port}", "--timeout", "1");

            Assert.Equal(ExitCodes.ResponderFailed, outcome.ExitCode);
            Assert.Contains($"127.0.0.1:{port} did not complete the TLS exchange", outcome.StdErr);
        }
        finally
        {
            silent.Stop();
        }
    }

    [Fact]
    public async Task A_truncated_handshake_is_reported_not_crashed_on()
    {
        await using var server = OneShotServer.Start(async stream =>
        {
            await stream.ReadAsync(new byte[4096]);
            // A handshake record that promises 100 bytes and delivers 3, then hangs up.
            await stream.WriteAsync(new byte[] { 0x16, 0x03, 0x03, 0x00, 0x64, 0x02, 0x00, 0x00 });
        });

        var outcome = await CliRunner.RunAsync("test", "--host", $"127.0.0.1:{server.Port}");

        Assert.Equal(ExitCodes.ResponderFailed, outcome.ExitCode);
        Assert.Contains("closed the connection in the middle of a TLS record", outcome.StdErr);
    }

    [PeerFact("nginx")]
    public async Task A_tls13_only_server_is_said_to_be_unprobeable_this_way()
    {
        var (cert, dir, staple) = await ExportedAsync("probe-tls13.example.test");
        await using var nginx = await NginxServer.StartAsync(dir, cert, Path.Combine(dir, "key.pem"), Path.Combine(dir, "cafile.pem"), staple, protocols: "TLSv1.3");

        var outcome = await CliRunner.RunAsync("test", "--host", $"127.0.0.1:{nginx.Port}");

        Assert.Equal(ExitCodes.ResponderFailed, outcome.ExitCode);
        Assert.Contains("TLS 1.3", outcome.StdErr);
    }
}
