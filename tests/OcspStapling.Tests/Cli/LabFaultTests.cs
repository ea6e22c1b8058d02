using System.Text.Json;
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

    [Fact]
    public async Task A_response_dated_in_the_future_is_not_yet_valid_and_not_also_expired()
    {
        var cert = _lab.GoodLeaf("fault-future-only.example.test");
        _lab.Responder.Fault = LabFault.FutureDated;
        var outcome = await CliRunner.RunAsync("get", cert, "--json");
        _lab.Responder.Fault = LabFault.None;

        Assert.True(outcome.ExitCode == ExitCodes.NotGood, outcome.ToString());
        Assert.Equal(new[] { "notYetValid" }, outcome.FindingCodes);
    }

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
    [InlineData(LabFault.JustExpired, ExitCodes.NotGood, "expired")]
    [InlineData(LabFault.CriticalExtension, ExitCodes.NotGood, "unsupportedCriticalExtension")]
    [InlineData(LabFault.CriticalSingleExtension, ExitCodes.NotGood, "unsupportedCriticalExtension")]
    [InlineData(LabFault.RedirectToFile, ExitCodes.ResponderFailed, "responderUnreachable")]
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
        Assert.Equal(1, json.GetProperty("schemaVersion").GetInt32());
        Assert.Equal(outcome.ExitCode, json.GetProperty("exitCode").GetInt32());
        var reported = json.GetProperty("error") is { ValueKind: JsonValueKind.Object } error ? error.GetProperty("reason").GetString()! : string.Join(",", outcome.FindingCodes);
        Assert.Contains(named, reported);
        Assert.Equal(before, File.ReadAllBytes(staple));
        Assert.Equal(new[] { "site.ocsp" }, Directory.GetFiles(Path.GetDirectoryName(staple)!, "*.ocsp*").Select(Path.GetFileName).Concat(
            Directory.GetFiles(Path.GetDirectoryName(staple)!, ".*tmp")).ToArray());
    }

    [Fact]
    public async Task Auto_asks_again_with_post_when_the_get_path_answers_an_http_error()
    {
        var cert = _lab.GoodLeaf("getfails.example.test");
        _lab.Responder.Fault = LabFault.GetFails;
        try
        {
            var auto = await CliRunner.RunAsync("get", cert, "--json");
            var getOnly = await CliRunner.RunAsync("get", cert, "--json", "--method", "get");

            Assert.True(auto.ExitCode == ExitCodes.Good, auto.ToString());
            Assert.Equal("post", auto.Response.GetProperty("method").GetString());
            Assert.True(getOnly.ExitCode == ExitCodes.ResponderFailed, getOnly.ToString());
        }
        finally
        {
            _lab.Responder.Fault = LabFault.None;
        }
    }

    [Fact]
    public async Task Test_calls_a_staple_expired_55_seconds_ago_expired_as_update_and_the_listener_do()
    {
        var cert = _lab.GoodLeaf("justexpired.example.test");
        var staple = Path.Combine(Path.GetDirectoryName(cert)!, "site.ocsp");
        _lab.Responder.Fault = LabFault.JustExpired;
        try
        {
            var written = await CliRunner.RunAsync("export", cert, "--out", staple, "--force");
            Assert.True(File.Exists(staple), written.ToString());
        }
        finally
        {
            _lab.Responder.Fault = LabFault.None;
        }

        var outcome = await CliRunner.RunAsync("test", staple, "--cert", cert, "--json");

        Assert.True(outcome.ExitCode == ExitCodes.NotGood, outcome.ToString());
        Assert.Contains("expired", outcome.FindingCodes);
        var entry = new Engine.Store.StoreEntry("x", File.ReadAllBytes(staple), Engine.Protocol.OcspResponseDecoder.Decode(File.ReadAllBytes(staple)), null);
        Assert.False(entry.HasValidStaple(DateTimeOffset.UtcNow));
    }

    [Fact]
    public async Task A_certificate_given_where_the_staple_belongs_is_called_a_certificate()
    {
        var cert = _lab.GoodLeaf("certasstaple.example.test");

        var outcome = await CliRunner.RunAsync("test", cert, "--cert", cert);

        Assert.True(outcome.ExitCode == ExitCodes.Usage, outcome.ToString());
        Assert.Contains("it is a PEM certificate (CERTIFICATE), not an OCSP response", outcome.StdErr);
    }
}
