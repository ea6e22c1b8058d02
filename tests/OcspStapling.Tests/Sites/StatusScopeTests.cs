using OcspStapling.Cli;
using OcspStapling.Engine.Protocol;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Sites;

/// <summary>`status PATH` judges the same sites as `update PATH`; the store's other entries are listed apart.</summary>
public sealed class StatusScopeTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;
    private readonly SiteLayouts _layouts;

    public StatusScopeTests(LabResponderFixture lab)
    {
        _lab = lab;
        _layouts = new SiteLayouts(lab);
    }

    [Fact]
    public async Task A_revoked_entry_of_another_site_in_the_store_is_listed_apart_and_not_counted()
    {
        using var dir = new TempDirectory();
        var store = dir.File("store");
        var shop = _layouts.Certbot(dir.File("le"), "shop");
        var retired = _layouts.Certbot(dir.File("old"), "retired");
        Assert.Equal(ExitCodes.Good, (await CliRunner.RunAsync("update", shop, retired, "--store", store)).ExitCode);
        var retiredLeaf = Engine.Certificates.CertificateFile.Load(Path.Combine(retired, "cert.pem")).Leaf;
        _lab.Responder.SetStatus(retiredLeaf, CertStatus.Revoked);
        Assert.Equal(ExitCodes.ResponderFailed, (await CliRunner.RunAsync("update", retired, "--store", store, "--force")).ExitCode);

        var update = await CliRunner.RunAsync("update", shop, "--store", store);
        var status = await CliRunner.RunAsync("status", shop, "--store", store, "--json");
        var text = await CliRunner.RunAsync("status", shop, "--store", store);

        Assert.True(update.ExitCode == ExitCodes.Good, update.ToString());
        Assert.True(status.ExitCode == update.ExitCode, status.ToString());
        Assert.Equal(new[] { "shop" }, status.Sites.Select(s => s.GetProperty("site").GetString()));
        var other = Assert.Single(status.Json.GetProperty("otherEntries").EnumerateArray());
        Assert.Equal("revoked", other.GetProperty("state").GetString());
        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(retiredLeaf.RawData)).ToLowerInvariant(), other.GetProperty("site").GetString());
        Assert.Contains("not a site given (store entry, not counted)", text.StdOut);
    }
}
