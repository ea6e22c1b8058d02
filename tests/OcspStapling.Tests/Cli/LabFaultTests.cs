using OcspStapling.Cli;
using OcspStapling.Engine.Lab;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Cli;

/// <summary>
/// Every fault the lab responder stages gives its own named finding or error, writes nothing,
/// and leaves the earlier staple file byte-for-byte as it was.
/// </summary>
public sealed class LabFaultTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public LabFaultTests(LabResponderFixture lab) => _lab = lab;

    [Theory]
    [InlineData(LabFault.WrongSigner, ExitCodes.NotGood, "signatureInvalid")]
    [InlineData(LabFault.UnauthorizedDelegate, ExitCodes.NotGood, "signerNotAuthorized")]
    [InlineData(LabFault.Stale, ExitCodes.NotGood, "expired")]
    [InlineData(LabFault.FutureDated, ExitCodes.NotGood, "notYetValid")]
    [InlineData(LabFault.WrongCertificate, ExitCodes.NotGood, "certIdMismatch")]
    [InlineData(LabFault.NoNextUpdateOld, ExitCodes.NotGood, "tooOld")]
    [InlineData(LabFault.DropNonce, ExitCodes.NotGood, "nonceMismatch")]
    [InlineData(LabFault.TryLater, ExitCodes.ResponderFailed, "responderError")]
    [InlineData(LabFault.Garbage, ExitCodes.ResponderFailed, "notAnOcspResponse")]
    [InlineData(LabFault.Html, ExitCodes.ResponderFailed, "notAnOcspResponse")]
    [InlineData(LabFault.Http500, ExitCodes.ResponderFailed, "responderHttpError")]
    [InlineData(LabFault.Oversized, ExitCodes.ResponderFailed, "responseTooLarge")]
    [InlineData(LabFault.Slow, ExitCodes.ResponderFailed, "responderTimeout")]
    public async Task Fault_is_named_and_leaves_the_earlier_staple_untouched(LabFault fault, int exitCode, string named)
    {
        var cert = _lab.GoodLeaf("fault-" + fault.ToString().ToLowerInvariant() + ".example.test");
        var staple = Path.Combine(Path.GetDirectoryName(cert)!, "site.ocsp");
        _lab.Responder.Fault = LabFault.None;
        var first = await CliRunner.RunAsync("export", cert, "--out", staple);
        Assert.True(first.ExitCode == ExitCodes.Good, first.ToString());
        var before = File.ReadAllBytes(staple);

        _lab.Responder.Fault = fault;
        _lab.Responder.SlowDelay = TimeSpan.FromSeconds(5);
        // Only the slow fault gets a short timeout: the others may first generate a key for their fake signer.
        var timeout = fault == LabFault.Slow ? "1" : "10";
        var outcome = await CliRunner.RunAsync("export", cert, "--out", staple, "--json", "--timeout", timeout, "--nonce");
        _lab.Responder.Fault = LabFault.None;

        Assert.True(exitCode == outcome.ExitCode, outcome.ToString());
        var json = outcome.Json;
        var reported = json.TryGetProperty("error", out var error) ? error.GetString()! : string.Join(",", outcome.FindingCodes);
        Assert.Contains(named, reported);
        Assert.Equal(before, File.ReadAllBytes(staple));
        Assert.Equal(new[] { "site.ocsp" }, Directory.GetFiles(Path.GetDirectoryName(staple)!, "*.ocsp*").Select(Path.GetFileName).Concat(
            Directory.GetFiles(Path.GetDirectoryName(staple)!, ".*tmp")).ToArray());
    }
}
