using OcspStapling.Cli;
using OcspStapling.Engine.Protocol;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Peers;

/// <summary>`ocspstaple update --haproxy-socket` hands a running HAProxy the new staple; no restart, no reload.</summary>
public sealed class HaproxyPushTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public HaproxyPushTests(LabResponderFixture lab) => _lab = lab;

    [PeerFact("haproxy", "openssl")]
    public async Task A_running_haproxy_serves_the_pushed_staple_on_its_next_handshake()
    {
        var cert = _lab.GoodLeaf("haproxy-push.example.test");
        var dir = Path.GetDirectoryName(cert)!;
        var first = Path.Combine(dir, "first.der");
        Assert.Equal(ExitCodes.Good, (await CliRunner.RunAsync("export", cert, "--out", first)).ExitCode);
        await using var haproxy = await HaproxyServer.StartAsync(dir, Path.Combine(dir, "leaf.pem"), Path.Combine(dir, "key.pem"), Path.Combine(dir, "issuer.pem"), first);
        var before = await SClient.StatusAsync(haproxy.Port, Path.Combine(dir, "cafile.pem"), "haproxy-push.example.test");
        Assert.Contains("Cert Status: good", before.StdOut);

        await Task.Delay(1100); // a staple with a later producedAt
        var update = await CliRunner.RunAsync("update", haproxy.Certificate, "--store", Path.Combine(dir, "store"), "--force", "--haproxy-socket", haproxy.AdminSocket, "--json");
        Assert.True(update.ExitCode == ExitCodes.Good, update.ToString() + haproxy.Output);
        Assert.True(update.Sites[0].GetProperty("changed").GetBoolean());

        var after = await SClient.StatusAsync(haproxy.Port, Path.Combine(dir, "cafile.pem"), "haproxy-push.example.test");
        var pushed = OcspResponseDecoder.Decode(File.ReadAllBytes(Directory.GetFiles(Path.Combine(dir, "store"), "*.der").Single()));
        Assert.Contains($"Produced At: {pushed.ProducedAt!.Value.UtcDateTime:MMM d HH:mm:ss yyyy} GMT".Replace("  ", " "), Normalize(after.StdOut));
        Assert.NotEqual(ProducedAt(before.StdOut), ProducedAt(after.StdOut));
        Assert.False(haproxy.HasExited);
    }

    // OpenSSL pads single-digit days with a space ("Nov  2"); compare with single spaces.
    private static string Normalize(string text) => System.Text.RegularExpressions.Regex.Replace(text, " {2,}", " ");

    private static string ProducedAt(string sClient) =>
        sClient.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("Produced At:"));
}
