using OcspStapling.Cli;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Peers;

/// <summary>
/// Two web servers sharing one store (a directory, or Redis), each with its own nginx loading its own export
/// directory: after a renewal that host A fetches, host B's run exports the new staple and reloads B's nginx, which
/// then staples it; each host reloads exactly when its own export files change.
/// </summary>
public sealed class FleetReloadTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;
    private readonly SiteLayouts _layouts;

    public FleetReloadTests(LabResponderFixture lab)
    {
        _lab = lab;
        _layouts = new SiteLayouts(lab);
    }

    [PeerFact("nginx", "openssl")]
    public async Task Host_B_reloads_its_nginx_with_the_staple_host_A_fetched_into_a_shared_directory_store()
    {
        using var dir = new TempDirectory();
        await TwoHostsAsync(dir, dir.File("store"));
    }

    [PeerFact("nginx", "openssl", "redis-server")]
    public async Task Host_B_reloads_its_nginx_with_the_staple_host_A_fetched_into_a_shared_redis_store()
    {
        using var dir = new TempDirectory();
        await using var redis = await RedisServer.StartAsync();
        await TwoHostsAsync(dir, redis.Url);
    }

    private async Task TwoHostsAsync(TempDirectory dir, string store)
    {
        var le = dir.File("le");
        var live = _layouts.Certbot(le, "fleet");
        var caFile = LabFiles.WritePem(dir.File("ca.pem"), _lab.Pki.Issuer);
        var a = new Host(dir.File("a"), live, store);
        var b = new Host(dir.File("b"), live, store);
        Assert.Equal(ExitCodes.Good, (await a.UpdateAsync(reload: false)).ExitCode);
        Assert.Equal(ExitCodes.Good, (await b.UpdateAsync(reload: false)).ExitCode);
        await using var nginxA = await a.StartNginxAsync(caFile);
        await using var nginxB = await b.StartNginxAsync(caFile);
        Assert.Equal(ExitCodes.Good, (await a.UpdateAsync()).ExitCode); // each host's first reload: nothing was recorded yet
        Assert.Equal(ExitCodes.Good, (await b.UpdateAsync()).ExitCode);
        Assert.Equal((1, 1), (a.Reloads, b.Reloads));

        _layouts.Certbot(le, "fleet"); // certbot renew on both hosts: same names, new certificate
        var renewedSerial = LabFiles.OpenSslSerial(Engine.Certificates.CertificateFile.Load(Path.Combine(live, "cert.pem")).Leaf);
        var fetchedByA = await a.UpdateAsync();
        var requests = _lab.Responder.RequestCount;
        var deliveredByB = await b.UpdateAsync();
        var again = (await a.UpdateAsync(), await b.UpdateAsync());

        Assert.True(fetchedByA.ExitCode == ExitCodes.Good, fetchedByA.ToString());
        Assert.True(deliveredByB.ExitCode == ExitCodes.Good, deliveredByB.ToString());
        Assert.Equal(requests, _lab.Responder.RequestCount); // B asked nobody: the store had it
        Assert.True(deliveredByB.Sites[0].GetProperty("changed").GetBoolean(), deliveredByB.ToString());
        Assert.Equal((ExitCodes.Good, ExitCodes.Good), (again.Item1.ExitCode, again.Item2.ExitCode));
        Assert.Equal((2, 2), (a.Reloads, b.Reloads)); // once for the renewal each, not again when nothing changed
        // OpenSSL prints the serial as DER has it: a leading 00 when the high bit is set.
        bool StaplesRenewed(ProcessOutput s) => System.Text.RegularExpressions.Regex.IsMatch(s.StdOut, $"Serial Number: (00)?{renewedSerial}\\b");
        var seen = await Eventually.Value(() => SClient.StatusAsync(nginxB.Port, caFile, "fleet.example.test"), StaplesRenewed);
        Assert.Contains("Cert Status: good", seen.StdOut);
        Assert.True(StaplesRenewed(seen), seen.StdOut);
    }

    /// <summary>One web server: its export directory, its nginx, and a reload command that counts its runs.</summary>
    private sealed class Host
    {
        private readonly string _root;
        private readonly string _live;
        private readonly string _store;

        public Host(string root, string live, string store)
        {
            _root = Directory.CreateDirectory(root).FullName;
            _live = live;
            _store = store;
        }

        private string ExportDirectory => Path.Combine(_root, "ocsp");

        private string ReloadLog => Path.Combine(_root, "reloads");

        public int Reloads => File.Exists(ReloadLog) ? File.ReadAllLines(ReloadLog).Length : 0;

        // Each host keeps its own delivery state, as separate machines would (XDG_STATE_HOME is per user and host).
        public Task<CliOutcome> UpdateAsync(bool reload = true)
        {
            var args = new List<string> { "update", _live, "--store", _store, "--export-dir", ExportDirectory, "--json" };
            if (reload)
                args.AddRange(new[] { "--reload", $"kill -HUP $(cat {_root}/nginx.pid) && echo reloaded >> {ReloadLog}" });
            return CliRunner.RunAsync(args.ToArray());
        }

        public Task<NginxServer> StartNginxAsync(string caFile) =>
            NginxServer.StartAsync(_root, new[] { new NginxSite(null, Path.Combine(_live, "fullchain.pem"), Path.Combine(_live, "privkey.pem"), Path.Combine(ExportDirectory, "fleet.ocsp")) }, caFile, workers: 2);
    }
}
