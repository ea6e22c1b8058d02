using OcspStapling.Cli;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Cli;

/// <summary>A mistyped option is refused with exit 2 by every command, before anything is fetched or written.</summary>
public sealed class UnknownOptionTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public UnknownOptionTests(LabResponderFixture lab) => _lab = lab;

    [Fact]
    public async Task Update_with_a_mistyped_store_option_is_refused_and_writes_nothing()
    {
        using var dir = new TempDirectory();
        var live = new SiteLayouts(_lab).Certbot(dir.File("le"), "typo");
        var requests = _lab.Responder.RequestCount;

        var outcome = await CliRunner.RunAsync("update", live, "--stroe", dir.File("store"), "--export-dir", dir.File("ocsp"));

        Assert.True(outcome.ExitCode == ExitCodes.Usage, outcome.ToString());
        Assert.Contains("Unrecognized option '--stroe'", outcome.StdErr);
        Assert.Equal(requests, _lab.Responder.RequestCount);
        Assert.False(Directory.Exists(dir.File("ocsp")));
    }

    [Theory]
    [InlineData("get", "CERT", "--bogus")]
    [InlineData("export", "CERT", "--bogus")]
    [InlineData("test", "CERT", "--bogus")]
    [InlineData("update", "CERT", "--bogus")]
    [InlineData("status", "CERT", "--bogus")]
    [InlineData("listen", "--port", "0", "--sites", "CERT", "--bogus")]
    [InlineData("demo", "--bogus")]
    public async Task Every_command_refuses_an_unknown_option_with_exit_2(params string[] args)
    {
        var cert = _lab.GoodLeaf("bogus.example.test");
        var outcome = await CliRunner.RunAsync(args.Select(a => a == "CERT" ? cert : a).ToArray());

        Assert.True(outcome.ExitCode == ExitCodes.Usage, outcome.ToString());
        Assert.Contains("'--bogus'", outcome.StdErr);
    }
}
