using OcspStapling.Cli;
using OcspStapling.Engine;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Tls;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Hostile;

/// <summary>A TLS server that lies in its handshake: the probe names what is wrong in one line, never a stack trace.</summary>
public sealed class HostileServerTests
{
    private static readonly byte[] ServerHello = Handshake(2, new byte[] { 3, 3 }.Concat(new byte[32]).Concat(new byte[] { 0, 0xc0, 0x2f, 0 }).ToArray());

    [Fact]
    public async Task A_certificate_message_shorter_than_its_list_claims_is_named()
    {
        // The list announces 1,000 bytes; the message holds one 5-byte entry.
        var certificate = Handshake(11, new byte[] { 0x00, 0x03, 0xE8, 0x00, 0x00, 0x05, 1, 2, 3, 4, 5 });
        var failure = await ProbeAsync(ServerHello.Concat(certificate).ToArray());

        Assert.Equal(FailureReason.HandshakeFailed, failure.Reason);
        Assert.Contains("shorter than the certificate list it announces", failure.Message);
    }

    [Fact]
    public async Task A_certificate_message_too_short_for_its_own_length_field_is_named()
    {
        var failure = await ProbeAsync(ServerHello.Concat(Handshake(11, new byte[] { 0x00 })).ToArray());

        Assert.Equal(FailureReason.HandshakeFailed, failure.Reason);
        Assert.Contains("Certificate message is truncated", failure.Message);
    }

    [Fact]
    public async Task Ocspstaple_test_host_against_it_prints_one_line_and_exits_3()
    {
        var certificate = Handshake(11, new byte[] { 0x00, 0x03, 0xE8, 0x00, 0x00, 0x05, 1, 2, 3, 4, 5 });
        await using var server = OneShotServer.Start(stream => Serve(stream, ServerHello.Concat(certificate).ToArray()));

        var outcome = await CliRunner.RunAsync("test", "--host", $"127.0.0.1:{server.Port}", "--timeout", "5");

        Assert.True(outcome.ExitCode == ExitCodes.ResponderFailed, outcome.ToString());
        Assert.Contains("shorter than the certificate list it announces", outcome.StdErr);
        Assert.DoesNotContain("   at ", outcome.StdErr);
    }

    private static async Task<StaplingException> ProbeAsync(byte[] script)
    {
        await using var server = OneShotServer.Start(stream => Serve(stream, script));
        return await Assert.ThrowsAsync<StaplingException>(() =>
            StapleProbe.ProbeAsync("127.0.0.1", server.Port, "hostile.example.test", FetchOptions.Default, TimeSpan.FromSeconds(5)));
    }

    private static async Task Serve(System.Net.Sockets.NetworkStream stream, byte[] handshakeMessages)
    {
        var hello = new byte[512];
        _ = await stream.ReadAsync(hello);
        await stream.WriteAsync(Record(handshakeMessages));
        await Task.Delay(500);
    }

    private static byte[] Handshake(byte type, byte[] body) =>
        new[] { type, (byte)(body.Length >> 16), (byte)(body.Length >> 8), (byte)body.Length }.Concat(body).ToArray();

    private static byte[] Record(byte[] payload) =>
        new byte[] { 0x16, 3, 3, (byte)(payload.Length >> 8), (byte)payload.Length }.Concat(payload).ToArray();
}
