using OcspStapling.Cli;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Cli;

/// <summary>HAProxy's &lt;cert&gt;.issuer serves get and export as it serves update, and -v names it.</summary>
public sealed class HaproxyIssuerFileTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public HaproxyIssuerFileTests(LabResponderFixture lab) => _lab = lab;

    [Fact]
    public async Task Get_and_export_find_the_issuer_in_the_issuer_file_beside_a_haproxy_certificate()
    {
        using var dir = new TempDirectory();
        var pem = new SiteLayouts(_lab).Haproxy(dir.File("certs"), "shop");

        var get = await CliRunner.RunAsync("get", pem, "--json", "-v");
        var export = await CliRunner.RunAsync("export", pem, "--out", pem + ".ocsp");

        Assert.True(get.ExitCode == ExitCodes.Good, get.ToString());
        Assert.Equal("issuerFile", get.Response.GetProperty("issuerSource").GetString());
        Assert.Contains($"HAProxy's issuer file {pem}.issuer", get.StdErr);
        Assert.True(export.ExitCode == ExitCodes.Good, export.ToString());
        Assert.True(File.Exists(pem + ".ocsp"));
    }
}
