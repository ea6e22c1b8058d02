using OcspStapling.Cli;
using OcspStapling.Engine.Sites;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Sites;

/// <summary>Sites as ACME clients and HAProxy lay them out: what update finds, names and exports.</summary>
public sealed class SiteDiscoveryTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;
    private readonly SiteLayouts _layouts;

    public SiteDiscoveryTests(LabResponderFixture lab)
    {
        _lab = lab;
        _layouts = new SiteLayouts(lab);
    }

    [Fact]
    public async Task A_certbot_tree_is_one_site_per_live_directory_exported_as_its_name()
    {
        using var dir = new TempDirectory();
        var letsencrypt = dir.File("letsencrypt");
        var shop = _layouts.Certbot(letsencrypt, "shop");
        var blog = _layouts.Certbot(letsencrypt, "blog");

        var outcome = await CliRunner.RunAsync("update", letsencrypt, "--store", dir.File("store"), "--export-dir", dir.File("ocsp"), "--json");

        Assert.True(outcome.ExitCode == ExitCodes.Good, outcome.ToString());
        Assert.Equal(new[] { "blog", "shop" }, outcome.Sites.Select(s => s.GetProperty("site").GetString()).Order());
        Assert.All(outcome.Sites, s => Assert.Equal("certbot", s.GetProperty("layout").GetString()));
        Assert.Equal(new[] { "blog.ocsp", "shop.ocsp" }, Directory.GetFiles(dir.File("ocsp")).Select(Path.GetFileName).Order());
        // Each export holds its own site's staple, as the server for that site would check it.
        foreach (var (site, live) in new[] { ("shop", shop), ("blog", blog) })
        {
            var check = await CliRunner.RunAsync("test", Path.Combine(dir.File("ocsp"), site + ".ocsp"), "--cert", Path.Combine(live, "fullchain.pem"));
            Assert.True(check.ExitCode == ExitCodes.Good, check.ToString());
        }
        var skipped = outcome.Json.GetProperty("skipped").EnumerateArray().ToDictionary(s => s.GetProperty("path").GetString()!, s => s.GetProperty("reason").GetString()!);
        Assert.Contains("certbot's archive", skipped[Path.Combine(letsencrypt, "archive")]);
        Assert.Equal("part of site 'shop'", skipped[Path.Combine(shop, "chain.pem")]);
    }

    [Fact]
    public async Task Fullchain_files_named_one_by_one_export_under_their_site_names_not_one_shared_file_name()
    {
        using var dir = new TempDirectory();
        var shop = _layouts.Certbot(dir.File("le"), "shop");
        var blog = _layouts.Certbot(dir.File("le"), "blog");

        var outcome = await CliRunner.RunAsync("update", Path.Combine(shop, "fullchain.pem"), Path.Combine(blog, "fullchain.pem"),
            "--store", dir.File("store"), "--export-dir", dir.File("ocsp"));

        Assert.True(outcome.ExitCode == ExitCodes.Good, outcome.ToString());
        Assert.Equal(new[] { "blog.ocsp", "shop.ocsp" }, Directory.GetFiles(dir.File("ocsp")).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Cert_pem_and_fullchain_pem_of_one_site_are_one_site_and_cert_pem_alone_finds_its_issuer_in_chain_pem()
    {
        using var dir = new TempDirectory();
        var shop = _layouts.Certbot(dir.File("le"), "shop");

        var both = await CliRunner.RunAsync("update", Path.Combine(shop, "cert.pem"), Path.Combine(shop, "fullchain.pem"), "--store", dir.File("store"), "--json");
        var alone = SiteDiscovery.Discover(new[] { Path.Combine(shop, "cert.pem") }, null);

        Assert.True(both.ExitCode == ExitCodes.Good, both.ToString());
        Assert.Single(both.Sites);
        Assert.Equal("stapled", both.Sites[0].GetProperty("state").GetString());
        Assert.Contains(alone.Sites.Single().ReadCertificate().Chain, c => c.Subject == _lab.Pki.Issuer.Subject);
    }

    [Fact]
    public async Task Acme_sh_and_haproxy_directories_are_sites_and_the_issuer_file_beside_a_pem_is_its_issuer()
    {
        using var dir = new TempDirectory();
        _layouts.AcmeSh(dir.File("acme"), "api.example.test");
        var pem = _layouts.Haproxy(dir.File("haproxy"), "edge");

        var outcome = await CliRunner.RunAsync("update", dir.File("acme"), dir.File("haproxy"), "--store", dir.File("store"), "--export-dir", dir.File("ocsp"), "--haproxy", "--json");

        Assert.True(outcome.ExitCode == ExitCodes.Good, outcome.ToString());
        var layouts = outcome.Sites.ToDictionary(s => s.GetProperty("site").GetString()!, s => s.GetProperty("layout").GetString());
        Assert.Equal("acmeSh", layouts["api.example.test"]);
        Assert.Equal("haproxy", layouts[pem]);
        Assert.Equal(new[] { "api.example.test.ocsp", "edge.pem.ocsp" }, Directory.GetFiles(dir.File("ocsp")).Select(Path.GetFileName).Order());
        Assert.True(File.Exists(pem + ".ocsp")); // beside the certificate, where HAProxy loads it
    }

    [Fact]
    public async Task Ca_certificates_and_chain_files_are_skipped_with_the_reason_not_failed_as_sites()
    {
        using var dir = new TempDirectory();
        var certs = Directory.CreateDirectory(dir.File("certs")).FullName;
        File.Copy(_lab.GoodLeaf("withcas.example.test"), Path.Combine(certs, "site.pem"));
        LabFiles.WritePem(Path.Combine(certs, "root.pem"), _lab.Pki.Root);
        LabFiles.WritePem(Path.Combine(certs, "intermediate.crt"), _lab.Pki.Issuer);
        LabFiles.WritePem(Path.Combine(certs, "ca-bundle.pem"), _lab.Pki.Issuer, _lab.Pki.Root);

        var outcome = await CliRunner.RunAsync("update", certs, "--store", dir.File("store"), "--json", "-v");

        Assert.True(outcome.ExitCode == ExitCodes.Good, outcome.ToString());
        Assert.Single(outcome.Sites);
        var skipped = outcome.Json.GetProperty("skipped").EnumerateArray().ToDictionary(s => Path.GetFileName(s.GetProperty("path").GetString()!), s => s.GetProperty("reason").GetString()!);
        Assert.Contains("self-signed CA certificate (a root)", skipped["root.pem"]);
        Assert.Contains("only CA certificates (a chain file)", skipped["intermediate.crt"]);
        Assert.Contains("only CA certificates (a chain file)", skipped["ca-bundle.pem"]);
        Assert.Contains("skipping " + Path.Combine(certs, "root.pem"), outcome.StdErr); // -v says so too
    }

    [Fact]
    public async Task Two_sites_that_would_export_to_one_file_are_an_error_before_anything_is_written()
    {
        using var dir = new TempDirectory();
        foreach (var vhost in new[] { "a", "b" })
        {
            var site = Directory.CreateDirectory(dir.File(vhost)).FullName;
            File.Copy(_lab.GoodLeaf($"clash-{vhost}.example.test"), Path.Combine(site, "site.pem"));
        }
        var requestsBefore = _lab.Responder.RequestCount;

        var outcome = await CliRunner.RunAsync("update", dir.File("a"), dir.File("b"), "--store", dir.File("store"), "--export-dir", dir.File("ocsp"));

        Assert.True(outcome.ExitCode == ExitCodes.Usage, outcome.ToString());
        Assert.Contains($"'{Path.Combine(dir.File("a"), "site.pem")}' and '{Path.Combine(dir.File("b"), "site.pem")}' would both export to 'site.pem.ocsp'; nothing was written", outcome.StdErr);
        Assert.False(Directory.Exists(dir.File("ocsp")));
        Assert.Equal(requestsBefore, _lab.Responder.RequestCount);
    }

    [Fact]
    public async Task A_directory_with_no_certificate_says_how_many_files_were_skipped()
    {
        using var dir = new TempDirectory();
        var cas = Directory.CreateDirectory(dir.File("cas")).FullName;
        LabFiles.WritePem(Path.Combine(cas, "root.pem"), _lab.Pki.Root);

        var outcome = await CliRunner.RunAsync("update", cas, "--store", dir.File("store"));

        Assert.True(outcome.ExitCode == ExitCodes.Usage, outcome.ToString());
        Assert.Contains("No certificates found in " + cas + " (1 file(s) skipped as not sites; -v lists them)", outcome.StdErr);
    }

    [Fact]
    public void Certificates_without_files_are_sites_exported_by_thumbprint_and_a_ca_certificate_among_them_is_skipped()
    {
        // What Update-OcspStaple and Get-OcspStaple get from Cert:\LocalMachine\My or the pipeline.
        var leaf = _layouts.Leaf("store.example.test");
        var withoutFile = new Engine.Certificates.CertificateBundle(leaf, new[] { _lab.Pki.Issuer }, null);

        var found = SiteDiscovery.FromCertificates(new[] { withoutFile, new Engine.Certificates.CertificateBundle(_lab.Pki.Root, Array.Empty<System.Security.Cryptography.X509Certificates.X509Certificate2>(), null), withoutFile });

        var site = Assert.Single(found.Sites);
        Assert.Equal(SiteLayout.Store, site.Layout);
        Assert.Equal(leaf.Subject, site.Name);
        Assert.Equal(site.Thumbprint + ".ocsp", site.ExportName);
        Assert.Equal(site.Thumbprint + ".ocsp", Engine.Export.StapleExport.FileNameFor(withoutFile, StapleFormat.Der));
        Assert.Equal(site.Thumbprint + ".ocsp.b64", Engine.Export.StapleExport.FileNameFor(withoutFile, StapleFormat.Base64));
        Assert.Contains("CA certificate", Assert.Single(found.Skipped).Reason);
    }

    [Fact]
    public async Task A_staple_saved_as_der_beside_its_certificate_is_skipped_as_an_ocsp_response_not_reported_unreadable()
    {
        using var dir = new TempDirectory();
        var site = dir.File("site.pem");
        File.Copy(_lab.GoodLeaf("respout.example.test"), site);
        // What the blog's cron loop leaves: openssl ocsp ... -respout site.pem.der (here written by export).
        var exported = await CliRunner.RunAsync("export", site, "--out", site + ".der");
        Assert.True(exported.ExitCode == ExitCodes.Good, exported.ToString());

        var outcome = await CliRunner.RunAsync("update", dir.Path, "--store", dir.File("store"), "--json");

        Assert.True(outcome.ExitCode == ExitCodes.Good, outcome.ToString());
        Assert.Equal(site, Assert.Single(outcome.Sites).GetProperty("site").GetString());
        var skipped = outcome.Json.GetProperty("skipped").EnumerateArray().ToDictionary(s => s.GetProperty("path").GetString()!, s => s.GetProperty("reason").GetString()!);
        Assert.Equal("an OCSP response (a staple), not a certificate", skipped[site + ".der"]);
    }
}
