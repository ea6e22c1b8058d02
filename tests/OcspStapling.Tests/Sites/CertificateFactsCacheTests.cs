using System.Security.Cryptography.X509Certificates;
using FsCheck;
using FsCheck.Fluent;
using OcspStapling.Cli;
using OcspStapling.Engine;
using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Sites;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Sites;

/// <summary>
/// Issue 11's steady state: what update found each certificate file to hold is remembered in the store
/// (certificates.cache) by the file's content, so a run in which nothing changed parses no certificate, and a file
/// that changed is read anew.
/// </summary>
public sealed class CertificateFactsCacheTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;
    private readonly SiteLayouts _layouts;

    public CertificateFactsCacheTests(LabResponderFixture lab)
    {
        _lab = lab;
        _layouts = new SiteLayouts(lab);
    }

    private static string CachePath(string store) => Path.Combine(store, "certificates.cache");

    [Fact]
    public async Task A_second_run_takes_an_unchanged_file_from_the_cache_and_a_renewed_file_is_read_anew()
    {
        using var dir = new TempDirectory();
        _layouts.Certbot(dir.File("le"), "shop");
        var store = dir.File("store");
        var first = await CliRunner.RunAsync("update", dir.File("le"), "--store", store, "--json");
        Assert.True(first.ExitCode == ExitCodes.Good, first.ToString());
        var thumbprint = first.Sites.Single().GetProperty("thumbprint").GetString()!;
        var line = File.ReadAllLines(CachePath(store)).Single(l => l.Contains(thumbprint));

        // What the cache says is what the run reports: proof that the file was not parsed again. (A subject is used
        // because nothing else about a certificate is visible without changing what the run does.)
        File.WriteAllText(CachePath(store), File.ReadAllText(CachePath(store)).Replace(line, line.Replace("CN=shop.example.test", "CN=remembered.example.test")));
        var cached = await CliRunner.RunAsync("status", dir.File("le"), "--store", store, "--json");
        Assert.Equal("CN=remembered.example.test", cached.Sites.Single().GetProperty("subject").GetString());

        // certbot renews: fullchain.pem now links to new content, which the cache has never seen.
        _layouts.Certbot(dir.File("le"), "shop", _layouts.Leaf("shop.example.test"));
        var renewed = await CliRunner.RunAsync("update", dir.File("le"), "--store", store, "--json");
        Assert.True(renewed.ExitCode == ExitCodes.Good, renewed.ToString());
        var site = renewed.Sites.Single();
        Assert.NotEqual(thumbprint, site.GetProperty("thumbprint").GetString());
        Assert.Equal("CN=shop.example.test", site.GetProperty("subject").GetString());
        Assert.Equal("refreshed", site.GetProperty("outcome").GetString());
        // The cache now holds only what this run used.
        Assert.DoesNotContain(File.ReadAllLines(CachePath(store)), l => l.Contains(thumbprint));
        Assert.Contains(File.ReadAllLines(CachePath(store)), l => l.Contains(site.GetProperty("thumbprint").GetString()!));
    }

    [Fact]
    public async Task A_damaged_or_foreign_cache_is_ignored_and_rewritten_and_status_never_writes_one()
    {
        using var dir = new TempDirectory();
        var certs = _lab.SiteDirectory("cachedamage", 3);
        var store = dir.File("store");
        Directory.CreateDirectory(store);
        File.WriteAllText(CachePath(store), "ocspstaple certificate facts v2\nnot\ta\tline\n\u0000\u0001garbage\n" + new string('x', 5000));

        var outcome = await CliRunner.RunAsync("update", certs, "--store", store, "--json");

        Assert.True(outcome.ExitCode == ExitCodes.Good, outcome.ToString());
        Assert.Equal(3, outcome.Sites.Count);
        var lines = File.ReadAllLines(CachePath(store));
        Assert.Equal("ocspstaple certificate facts v2", lines[0]);
        Assert.Equal(outcome.Sites.Select(s => s.GetProperty("thumbprint").GetString()).Order(), lines.Skip(1).Select(l => l.Split('\t')[1]).Order());

        File.Delete(CachePath(store));
        var status = await CliRunner.RunAsync("status", certs, "--store", store);
        Assert.True(status.ExitCode == ExitCodes.Good, status.ToString());
        Assert.False(File.Exists(CachePath(store)), "status must write nothing, the cache included");
    }

    [Fact]
    public async Task A_pfx_is_not_remembered_since_what_it_holds_depends_on_the_password()
    {
        using var dir = new TempDirectory();
        var cert = _lab.GoodLeaf("cachepfx.example.test");
        var leaf = X509Certificate2.CreateFromPemFile(cert, Path.Combine(Path.GetDirectoryName(cert)!, "key.pem"));
        var pfxDir = Directory.CreateDirectory(dir.File("pfx")).FullName;
        File.WriteAllBytes(Path.Combine(pfxDir, "site.pfx"), new X509Certificate2Collection { leaf, _lab.Pki.Issuer }.Export(X509ContentType.Pfx, "s3cret")!);
        Environment.SetEnvironmentVariable("OCSPSTAPLE_TEST_CACHE_PFX", "s3cret");

        var outcome = await CliRunner.RunAsync("update", pfxDir, "--store", dir.File("store"), "--password-env", "OCSPSTAPLE_TEST_CACHE_PFX", "--json");

        Assert.True(outcome.ExitCode == ExitCodes.Good, outcome.ToString());
        Assert.False(File.Exists(CachePath(dir.File("store"))) && File.ReadAllLines(CachePath(dir.File("store"))).Length > 1, "no PFX line in the cache");
    }

    [Fact]
    public void A_certificate_replaced_after_discovery_is_not_fetched_in_its_place_and_the_error_names_the_file()
    {
        using var dir = new TempDirectory();
        var file = dir.File("site.pem");
        File.Copy(_lab.GoodLeaf("replaced-before.example.test"), file);
        var site = SiteDiscovery.Discover(new[] { dir.Path }, null).Sites.Single();

        File.Copy(_lab.GoodLeaf("replaced-after.example.test"), file, overwrite: true);

        var error = Assert.Throws<StaplingException>(() => site.ReadCertificate());
        Assert.Contains(file, error.Message);
        Assert.Contains("replaced", error.Message);
    }

    [Fact]
    public void Any_line_reads_back_as_a_fact_or_as_nothing_and_written_facts_read_back_the_same()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000).WithQuietOnSuccess(true), Prop.ForAll<string>(line =>
        {
            CertificateFactsCache.TryParse(line ?? "", out _, out _); // never throws, whatever the line
        }));

        var facts = new CertificateSummary(new string('a', 64), "CN=x, O=\"Ünïcode, Inc.\"", DateTimeOffset.FromUnixTimeSeconds(1_700_000_000),
            DateTimeOffset.FromUnixTimeSeconds(1_800_000_000), HasOcspUrl: true, MustStaple: false, IsAuthority: false, IsSelfSigned: false, HasChain: true);
        Assert.True(CertificateFactsCache.TryParse(CertificateFactsCache.Line(42, facts), out var key, out var back));
        Assert.Equal((UInt128)42, key);
        Assert.Equal(facts, back);
    }
}
