using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Peers;

/// <summary>
/// `ocspstaple listen` as a long-running server: several certificates (--cert and --sites), a renewal picked up at
/// once on SIGHUP, and SIGTERM letting an open connection finish before exiting 0.
/// </summary>
public sealed class CliListenSitesTests : IClassFixture<LabResponderFixture>
{
    private static readonly string Program = Path.Combine(AppContext.BaseDirectory, "ocspstaple");
    private readonly LabResponderFixture _lab;

    public CliListenSitesTests(LabResponderFixture lab) => _lab = lab;

    [PeerTheory("openssl")]
    [InlineData("openssl")]
    [InlineData("sslstream")]
    public async Task Serves_cert_and_sites_by_name_and_renews_on_sighup(string tls)
    {
        var alpha = LabSite.Of(_lab.GoodLeaf($"alpha-cli-{tls}.example.test"));
        var beta = LabSite.Of(_lab.GoodLeaf($"beta-cli-{tls}.example.test"));
        using var letsencrypt = new TempDirectory();
        var live = Directory.CreateDirectory(Path.Combine(letsencrypt.Path, "live", "beta")).FullName; // certbot's layout
        File.Copy(beta.Path, Path.Combine(live, "fullchain.pem"));
        File.Copy(beta.KeyFile, Path.Combine(live, "privkey.pem"));
        var port = FreePort.Next();
        var metrics = FreePort.Next();
        // SIGHUP's default restored: a test runner started under nohup would hand its ignored SIGHUP down, and .NET,
        // like any Unix program, leaves an inherited "ignore" alone (so `nohup ocspstaple listen` ignores reloads).
        await using var listen = BackgroundProcess.Start("env", new[]
        {
            "--default-signal=HUP", Program,
            "listen", "--cert", alpha.Path, "--key", alpha.KeyFile, "--sites", Path.Combine(letsencrypt.Path, "live"),
            "--port", port.ToString(), "--tls", tls, "--metrics", $"127.0.0.1:{metrics}",
        });
        await listen.WaitForOutputAsync($"for CN={beta.Name}: stapling good", TimeSpan.FromSeconds(30));
        Assert.Contains($"for CN={alpha.Name}: stapling good", listen.Output);

        var toBeta = await SClient.StatusAsync(port, alpha.CaFile, beta.Name);
        Assert.Contains($"CN = {beta.Name}", toBeta.StdOut);
        Assert.Contains("Cert Status: good", toBeta.StdOut);
        var unnamed = await SClient.StatusAsync(port, alpha.CaFile, "other.example.test");
        Assert.Contains($"CN = {alpha.Name}", unnamed.StdOut); // the first --cert is the default

        var next = LabSite.Of(_lab.GoodLeaf(beta.Name)); // certbot renews beta: same name, new serial
        File.Copy(next.Path, Path.Combine(live, "fullchain.pem"), overwrite: true);
        await listen.SignalAsync("HUP");
        var serial = next.Served.Certificate.SerialNumber;
        await listen.WaitForOutputAsync($"Renewed: serving CN={beta.Name} (serial {serial}", TimeSpan.FromSeconds(4)); // before the 5 s poll would
        Assert.Contains("info SIGHUP: checking certificate files", listen.Output);
        var renewed = await SClient.StatusAsync(port, alpha.CaFile, beta.Name);
        Assert.Contains($"Serial Number: {serial}", renewed.StdOut); // the staple answers for the new certificate
        Assert.Contains("Cert Status: good", renewed.StdOut);
        Assert.Contains("Verify return code: 0 (ok)", renewed.StdOut);
        Assert.False(listen.HasExited); // SIGHUP re-reads; it does not end the server
        Assert.Contains($"info metrics on http://127.0.0.1:{metrics}/metrics", listen.Output);
        using var http = new HttpClient();
        var scraped = await http.GetStringAsync($"http://127.0.0.1:{metrics}/metrics");
        Assert.Contains("ocspstaple_listener_stapled_handshakes_total 3\n", scraped);
        Assert.Contains($"ocspstaple_staple_valid{{site=\"beta\",thumbprint=\"{Engine.Certificates.CertificateSummary.ThumbprintOf(next.Served.Certificate)}\"}} 1", scraped);

        Assert.Equal(0, await listen.InterruptAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Sites_that_cannot_be_read_or_hold_no_site_are_named_and_listen_exits_2()
    {
        using var empty = new TempDirectory();
        var missing = Path.Combine(empty.Path, "no-such-dir");

        var gone = await CliRunner.RunAsync("listen", "--sites", missing, "--port", FreePort.Next().ToString(), "--no-store");
        Assert.Equal(2, gone.ExitCode);
        Assert.Contains($"'{missing}': the file does not exist; check the path", gone.StdOut); // the log's warning line
        Assert.Equal($"ocspstaple: No certificates found in {missing}.", gone.StdErr.Trim());

        var nothing = await CliRunner.RunAsync("listen", "--sites", empty.Path, "--port", FreePort.Next().ToString(), "--no-store");
        Assert.Equal(2, nothing.ExitCode);
        Assert.Equal($"ocspstaple: No certificates found in {empty.Path}.", nothing.StdErr.Trim());
    }

    [PeerFact("openssl")]
    public async Task Sigterm_lets_an_open_connection_finish_then_exits_0()
    {
        var site = LabSite.Of(_lab.GoodLeaf("drain-cli.example.test"));
        using var backend = new TcpListener(IPAddress.Loopback, 0);
        backend.Start();
        var echo = EchoOnceAsync(backend);
        var port = FreePort.Next();
        await using var listen = BackgroundProcess.Start(Program, new[]
        {
            "listen", "--cert", site.Path, "--key", site.KeyFile, "--port", port.ToString(),
            "--forward", $"127.0.0.1:{((IPEndPoint)backend.LocalEndpoint).Port}", "--drain-timeout", "20s",
        });
        await listen.WaitForOutputAsync("listening on", TimeSpan.FromSeconds(30));
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        await using var tls = new SslStream(client.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(site.Name);
        await Exchange(tls, "before"u8.ToArray());

        await listen.SignalAsync("TERM");
        await listen.WaitForOutputAsync("Stopping: no new connections; 1 open", TimeSpan.FromSeconds(5)); // logged once the port is closed
        await Assert.ThrowsAnyAsync<SocketException>(async () =>
        {
            using var late = new TcpClient();
            await late.ConnectAsync(IPAddress.Loopback, port);
        });
        await Exchange(tls, "during the drain"u8.ToArray()); // the open connection still works
        Assert.False(listen.HasExited);

        tls.Close();
        await listen.WaitForExitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, listen.ExitCode);
        Assert.Contains("stopped after 1 handshakes (1 stapled)", listen.Output);
        await echo;
    }

    [PeerFact("openssl")]
    public async Task Listen_and_update_sharing_a_store_ask_the_responder_once()
    {
        using var store = new TempDirectory();
        // The listener fetches; update beside it then finds the entry fresh and asks nothing.
        var first = LabSite.Of(_lab.GoodLeaf("shared-listen-first.example.test"));
        var before = _lab.Responder.RequestCount;
        await using (var listen = await StartListenAsync(first, "--store", store.Path))
        {
            Assert.Equal(1, _lab.Responder.RequestCount - before);
            var update = await CliRunner.RunAsync("update", first.Path, "--store", store.Path, "--json");
            Assert.True(update.ExitCode == 0, update.ToString());
            Assert.Equal("stillFresh", update.Sites.Single().GetProperty("outcome").GetString());
            Assert.Equal(1, _lab.Responder.RequestCount - before);
            Assert.Equal(0, await listen.InterruptAsync(TimeSpan.FromSeconds(10)));
        }

        // update fetches first; a listener started afterwards serves the stored staple and asks nothing.
        var second = LabSite.Of(_lab.GoodLeaf("shared-update-first.example.test"));
        before = _lab.Responder.RequestCount;
        Assert.Equal(0, (await CliRunner.RunAsync("update", second.Path, "--store", store.Path)).ExitCode);
        Assert.Equal(1, _lab.Responder.RequestCount - before);
        await using (var listen = await StartListenAsync(second, "--store", store.Path))
        {
            var seen = await SClient.StatusAsync(int.Parse(listen.Output.Split("127.0.0.1:")[1].Split(' ')[0]), second.CaFile, second.Name);
            Assert.Contains("Cert Status: good", seen.StdOut);
            Assert.Equal(1, _lab.Responder.RequestCount - before);
            Assert.Equal(0, await listen.InterruptAsync(TimeSpan.FromSeconds(10)));
        }
    }

    private static async Task<BackgroundProcess> StartListenAsync(LabSite site, params string[] more)
    {
        var listen = BackgroundProcess.Start(Program, new[] { "listen", "--cert", site.Path, "--key", site.KeyFile, "--port", FreePort.Next().ToString() }.Concat(more));
        await listen.WaitForOutputAsync($"for CN={site.Name}: stapling good", TimeSpan.FromSeconds(30));
        return listen;
    }

    private static async Task Exchange(Stream tls, byte[] message)
    {
        await tls.WriteAsync(message);
        var back = new byte[message.Length];
        await tls.ReadExactlyAsync(back);
        Assert.Equal(Encoding.ASCII.GetString(message), Encoding.ASCII.GetString(back));
    }

    /// <summary>A backend that echoes one connection until it closes.</summary>
    private static async Task EchoOnceAsync(TcpListener backend)
    {
        using var connection = await backend.AcceptTcpClientAsync();
        var stream = connection.GetStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
            await stream.WriteAsync(buffer.AsMemory(0, read));
    }
}
