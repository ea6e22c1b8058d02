using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Store;
using OcspStapling.Tests.Support;
using StackExchange.Redis;

namespace OcspStapling.Tests.Store;

/// <summary>
/// The Redis store against a real redis-server: locks that outlive a dead holder by their expiry and are released
/// only by their owner; update's runs with Redis unreachable, gone mid-run, back, and restarted empty; and three
/// hosts refreshing one fleet, each certificate fetched once.
/// </summary>
public sealed class RedisStoreTests : IClassFixture<LabResponderFixture>, IAsyncLifetime
{
    private static readonly string Program = Path.Combine(AppContext.BaseDirectory, "ocspstaple");
    private const string T1 = "1111111111111111111111111111111111111111111111111111111111111111";
    private readonly LabResponderFixture _lab;
    private RedisServer _redis = null!;

    public RedisStoreTests(LabResponderFixture lab) => _lab = lab;

    public async Task InitializeAsync()
    {
        if (Support.Peers.Find("redis-server") != null || Support.Peers.IsCi)
            _redis = await RedisServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_redis != null)
            await _redis.DisposeAsync();
    }

    [PeerFact("redis-server")]
    public async Task A_lock_left_by_a_dead_host_expires_and_a_lock_is_released_only_by_its_owner()
    {
        var prefix = $"locks-{Guid.NewGuid():N}:";
        using var store = RedisStapleStore.Connect($"{_redis.Url}?prefix={prefix}");
        using var raw = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{_redis.Port}");
        var db = raw.GetDatabase();
        var lockKey = prefix + T1 + ".lock";

        // A host took the lock and died: its key stays until its expiry (here 1 s), then the next host gets it.
        await db.StringSetAsync(lockKey, "dead-host", TimeSpan.FromSeconds(1), When.NotExists);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var mine = await store.LockAsync(T1, TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.InRange(waited.Elapsed, TimeSpan.FromMilliseconds(700), TimeSpan.FromSeconds(5));

        // Our lock expires (a fetch that outlived it) and another host takes it: releasing ours must not free theirs.
        await db.KeyDeleteAsync(lockKey);
        await db.StringSetAsync(lockKey, "other-host", TimeSpan.FromSeconds(30), When.NotExists);
        mine.Dispose();
        Assert.Equal("other-host", (string?)await db.StringGetAsync(lockKey));
        Assert.InRange((await db.KeyTimeToLiveAsync(lockKey))!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
    }

    [PeerFact("openssl")]
    public async Task A_listener_whose_redis_is_down_still_staples_by_fetching_directly()
    {
        var site = Peers.LabSite.Of(_lab.GoodLeaf("redis-down-listener.example.test"));
        var log = new RecordingLog();
        var before = _lab.Responder.RequestCount;
        await using var listener = await Engine.Tls.StaplingListener.StartAsync(ListenerFiles.Options(site.Path) with
        {
            Certificates = [site.Served],
            Store = $"redis://127.0.0.1:{FreePort.Next()}/0",
        }, log);

        var seen = await SClient.StatusAsync(listener.Endpoint.Port, site.CaFile, site.Name);
        Assert.Contains("Cert Status: good", seen.StdOut);
        Assert.Equal(1, _lab.Responder.RequestCount - before);
        Assert.Contains(log.Warnings, w => w.Contains("is unavailable") && w.Contains("Fetching the staple for CN=redis-down-listener.example.test directly"));
    }

    [PeerFact("redis-server")]
    public void A_prefix_is_matched_literally_when_entries_are_listed()
    {
        var tag = Guid.NewGuid().ToString("N");
        using IStapleStore odd = RedisStapleStore.Connect($"{_redis.Url}?prefix={Uri.EscapeDataString($"{tag}*[x]:")}");
        using var neighbour = RedisStapleStore.Connect($"{_redis.Url}?prefix={Uri.EscapeDataString($"{tag}ZZ[x]:")}");
        var metadata = new StapleMetadata { Thumbprint = T1, Subject = "CN=odd" };
        odd.Save(T1, null, null, null, metadata);
        neighbour.Save(new string('2', 64), null, null, null, metadata with { Thumbprint = new string('2', 64) });

        Assert.Equal(new[] { T1 }, odd.Thumbprints()); // '*' and '[x]' in the prefix are not patterns
    }

    [PeerFact("redis-server")]
    public async Task Update_with_redis_unreachable_names_the_store_per_site_and_leaves_valid_exports_served()
    {
        var certs = _lab.SiteDirectory("redis-down", 3);
        using var exports = new TempDirectory();
        using var local = new TempDirectory();
        Assert.Equal(0, (await Update(certs, local.Path, exports.Path)).ExitCode); // exports made while all was well
        var before = Snapshot(exports.Path);

        var deadPort = FreePort.Next();
        var down = await Update(certs, $"redis://127.0.0.1:{deadPort}/0", exports.Path);

        Assert.Equal(1, down.ExitCode); // every exported staple is still valid: warnings, not problems
        // One named error per site: which certificate, which store, and that the exported staples stand.
        Assert.Equal(3, down.StdErr.Split('\n').Count(l => l.Contains($".pem: The Redis store redis://127.0.0.1:{deadPort}/0 is unavailable (UnableToConnect") && l.Contains("already exported are untouched")));
        Assert.Equal(before, Snapshot(exports.Path));

        // status cannot know any site's state without its store: one line naming it, no internal error.
        var status = await ProcessRunner.RunAsync(Program, new[] { "status", certs, "--store", $"redis://127.0.0.1:{deadPort}/0" });
        Assert.Equal(3, status.ExitCode);
        Assert.StartsWith($"ocspstaple: The Redis store redis://127.0.0.1:{deadPort}/0 is unavailable (UnableToConnect", status.StdErr);
        Assert.Single(status.StdErr.Trim().Split('\n'));

        using var fresh = new TempDirectory();
        var nothingExported = await Update(certs, $"redis://127.0.0.1:{deadPort}/0", fresh.Path);
        Assert.Equal(3, nothingExported.ExitCode); // nothing valid to serve: a problem
    }

    [PeerFact("redis-server")]
    public async Task Redis_gone_mid_run_fails_the_rest_by_name_then_a_restarted_empty_redis_is_refilled()
    {
        var certs = _lab.SiteDirectory("redis-midrun", 12);
        using var exports = new TempDirectory();
        var store = $"{_redis.Url}?prefix=midrun-{Guid.NewGuid():N}:";
        _lab.Responder.Latency = TimeSpan.FromMilliseconds(400);
        ProcessOutput midRun;
        try
        {
            var run = Update(certs, store, exports.Path, "--concurrency", "2");
            await Eventually.ValueOf(() => Directory.GetFiles(exports.Path).Length, n => n >= 2, timeoutMs: 20000); // a few sites done, most to come
            await _redis.StopAsync();
            midRun = await run;
        }
        finally
        {
            _lab.Responder.Latency = TimeSpan.Zero;
        }
        Assert.Equal(3, midRun.ExitCode); // sites never fetched have nothing valid
        Assert.Contains("is unavailable", midRun.StdErr);
        Assert.DoesNotContain("internal error", midRun.StdErr + midRun.StdOut);
        var exportedBefore = Directory.GetFiles(exports.Path).Length;
        Assert.InRange(exportedBefore, 1, 11);

        await _redis.RestartAsync(); // back, and empty: nothing was persisted
        var requests = _lab.Responder.RequestCount;
        var recovered = await Update(certs, store, exports.Path);
        Assert.True(recovered.ExitCode == 0, recovered.All);
        Assert.Equal(12, _lab.Responder.RequestCount - requests); // every entry was lost with Redis: refetched
        Assert.Equal(12, Directory.GetFiles(exports.Path).Length);
    }

    [PeerFact("redis-server")]
    public async Task Three_hosts_sharing_one_redis_fetch_each_certificate_once_and_each_exports_every_staple()
    {
        var certs = _lab.SiteDirectory("redis-fleet", 30);
        var store = $"{_redis.Url}?prefix=fleet-{Guid.NewGuid():N}:";
        var hosts = Enumerable.Range(0, 3).Select(_ => new TempDirectory()).ToList();
        try
        {
            var before = _lab.Responder.RequestCount;
            var runs = await Task.WhenAll(hosts.Select(h => Update(certs, store, h.Path, "--concurrency", "4")));

            Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.All));
            Assert.Equal(30, _lab.Responder.RequestCount - before);
            Assert.All(hosts, h => Assert.Equal(30, Directory.GetFiles(h.Path, "*.ocsp").Length));
            var staples = hosts.Select(h => Directory.GetFiles(h.Path, "*.ocsp").Order().Select(File.ReadAllBytes).ToList()).ToList();
            Assert.All(staples.Skip(1), other => Assert.Equal(staples[0], other)); // the same staple on every host
        }
        finally
        {
            hosts.ForEach(h => h.Dispose());
        }
    }

    [PeerFact("redis-server", "openssl")]
    public async Task Listeners_on_two_hosts_sharing_redis_ask_the_responder_once()
    {
        var site = Peers.LabSite.Of(_lab.GoodLeaf("redis-listeners.example.test"));
        var store = $"{_redis.Url}?prefix=listen-{Guid.NewGuid():N}:";
        var before = _lab.Responder.RequestCount;
        await using var first = await Engine.Tls.StaplingListener.StartAsync(ListenerFiles.Options(site.Path) with { Certificates = [site.Served], Store = store });
        await using var second = await Engine.Tls.StaplingListener.StartAsync(ListenerFiles.Options(site.Path) with { Certificates = [site.Served], Store = store });

        Assert.Equal(1, _lab.Responder.RequestCount - before);
        foreach (var listener in new[] { first, second })
        {
            var seen = await SClient.StatusAsync(listener.Endpoint.Port, site.CaFile, site.Name);
            Assert.Contains("Cert Status: good", seen.StdOut);
        }
    }

    [PeerFact("redis-server")]
    public async Task The_password_comes_from_the_environment_and_OCSPSTAPLE_STORE_may_name_redis_for_update_and_status()
    {
        var certs = _lab.SiteDirectory("redis-auth", 2);
        await using var locked = await RedisServer.StartAsync("--requirepass", "s3cret-for-tests");
        var url = $"redis://127.0.0.1:{locked.Port}/0";
        var environment = new Dictionary<string, string> { ["PATH"] = Environment.GetEnvironmentVariable("PATH")!, ["HOME"] = Path.GetTempPath(), ["OCSPSTAPLE_STORE"] = url };

        var refused = await ProcessRunner.RunAsync(Program, new[] { "update", certs }, environment: environment);
        Assert.Equal(3, refused.ExitCode);
        Assert.Contains($"The Redis store {url} is unavailable", refused.StdErr); // named; the password is nowhere
        Assert.DoesNotContain("s3cret", refused.All);

        environment["OCSPSTAPLE_REDIS_PASSWORD"] = "s3cret-for-tests";
        var stored = await ProcessRunner.RunAsync(Program, new[] { "update", certs }, environment: environment);
        Assert.True(stored.ExitCode == 0, stored.All);
        var status = await ProcessRunner.RunAsync(Program, new[] { "status", certs, "--json" }, environment: environment);
        Assert.True(status.ExitCode == 0, status.All);
        Assert.Equal(2, System.Text.Json.JsonDocument.Parse(status.StdOut).RootElement.GetProperty("sites").EnumerateArray().Count(s => s.GetProperty("state").GetString() == "stapled"));
        Assert.DoesNotContain("s3cret", stored.All + status.All);
    }

    [PeerFact("redis-server")]
    public async Task Rediss_speaks_tls_to_a_redis_whose_certificate_a_private_ca_issued()
    {
        using var files = new TempDirectory();
        var (ca, cert, key) = TlsFiles(files.Path);
        await using var tls = await RedisServer.StartTlsAsync(cert, key, ca);
        var certs = _lab.SiteDirectory("redis-tls", 1);

        var untrusted = await Update(certs, $"rediss://127.0.0.1:{tls.Port}/0", files.File("export-untrusted"));
        Assert.Equal(3, untrusted.ExitCode); // the private CA is not trusted unless named
        Assert.Contains("is unavailable", untrusted.StdErr);

        var trusted = await Update(certs, $"rediss://127.0.0.1:{tls.Port}/0?ca={Uri.EscapeDataString(ca)}", files.File("export"));
        Assert.True(trusted.ExitCode == 0, trusted.All);
        Assert.Single(Directory.GetFiles(files.File("export"), "*.ocsp"));
    }

    /// <summary>A private CA and a server certificate for 127.0.0.1 it issued, as PEM files.</summary>
    private static (string Ca, string Certificate, string Key) TlsFiles(string directory)
    {
        using var caKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var caRequest = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Redis test CA", caKey, System.Security.Cryptography.HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509KeyUsageExtension(System.Security.Cryptography.X509Certificates.X509KeyUsageFlags.KeyCertSign, true));
        using var caCert = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        using var serverKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var serverRequest = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=127.0.0.1", serverKey, System.Security.Cryptography.HashAlgorithmName.SHA256);
        var san = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(san.Build());
        using var server = serverRequest.Create(caCert, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29), new byte[] { 1, 2, 3, 4 });
        var paths = (Path.Combine(directory, "ca.pem"), Path.Combine(directory, "redis.pem"), Path.Combine(directory, "redis.key"));
        File.WriteAllText(paths.Item1, caCert.ExportCertificatePem());
        File.WriteAllText(paths.Item2, server.ExportCertificatePem());
        File.WriteAllText(paths.Item3, serverKey.ExportPkcs8PrivateKeyPem());
        return paths;
    }

    private static Task<ProcessOutput> Update(string certs, string store, string exportDir, params string[] more) =>
        ProcessRunner.RunAsync(Program, new[] { "update", certs, "--store", store, "--export-dir", exportDir }.Concat(more), timeout: TimeSpan.FromMinutes(2));

    private static Dictionary<string, (DateTime, string)> Snapshot(string directory) =>
        Directory.GetFiles(directory).ToDictionary(f => Path.GetFileName(f), f => (File.GetLastWriteTimeUtc(f), Convert.ToHexString(File.ReadAllBytes(f))));
}
