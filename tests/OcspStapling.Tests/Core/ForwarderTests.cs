using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using OcspStapling.Engine.Tls;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Core;

/// <summary>-ForwardTo makes the listener a TLS-terminating TCP forwarder: bytes pass both ways intact, half-close included.</summary>
public sealed class ForwarderTests : IClassFixture<LabResponderFixture>
{
    private const int PayloadBytes = 10 * 1024 * 1024;

    private readonly LabResponderFixture _lab;

    public ForwarderTests(LabResponderFixture lab) => _lab = lab;

    [Theory]
    [InlineData(ListenerTls.OpenSsl)]
    [InlineData(ListenerTls.SslStream)]
    public async Task Ten_mebibytes_pass_each_way_intact_and_the_backend_answers_after_the_client_half_closes(ListenerTls front)
    {
        var upload = RandomNumberGenerator.GetBytes(PayloadBytes);
        var download = RandomNumberGenerator.GetBytes(PayloadBytes);
        var backend = new TcpListener(IPAddress.Loopback, 0);
        backend.Start();
        var backendPort = ((IPEndPoint)backend.LocalEndpoint).Port;
        // The backend reads until the client is done sending (EOF), and only then answers: proof of half-close.
        var backendWork = Task.Run(async () =>
        {
            using var connection = await backend.AcceptTcpClientAsync();
            var stream = connection.GetStream();
            var received = new MemoryStream();
            await stream.CopyToAsync(received);
            await stream.WriteAsync(download);
            connection.Client.Shutdown(SocketShutdown.Send);
            return received.ToArray();
        });
        var cert = _lab.GoodLeaf("forward" + front + ".example.test");
        await using var listener = await StaplingListener.StartAsync(ListenerFiles.Options(cert) with { ForwardTo = new DnsEndPoint("127.0.0.1", backendPort), Tls = front });

        using var client = new TcpClient();
        await client.ConnectAsync(listener.Endpoint);
        await using var tls = new SslStream(client.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync("forward.example.test");
        await tls.WriteAsync(upload);
        await tls.ShutdownAsync();
        var answer = new MemoryStream();
        await tls.CopyToAsync(answer);

        var received = await backendWork;
        Assert.True(upload.AsSpan().SequenceEqual(received), "the backend received the upload intact");
        Assert.True(download.AsSpan().SequenceEqual(answer.ToArray()), "the client received the download intact");
        backend.Stop();
    }

    [Theory]
    [InlineData(ListenerTls.OpenSsl)]
    [InlineData(ListenerTls.SslStream)]
    public async Task A_forwarded_connection_silent_on_both_sides_is_closed_after_the_idle_timeout(ListenerTls front)
    {
        using var backend = new SilentServer();
        var cert = _lab.GoodLeaf("idle" + front + ".example.test");
        await using var listener = await StaplingListener.StartAsync(ListenerFiles.Options(cert) with
        {
            ForwardTo = new DnsEndPoint("127.0.0.1", backend.Port),
            Tls = front,
            IdleTimeout = TimeSpan.FromSeconds(1),
        });

        using var client = new TcpClient();
        await client.ConnectAsync(listener.Endpoint);
        await using var tls = new SslStream(client.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync("idle.example.test");
        await tls.WriteAsync("hello"u8.ToArray());
        var closedBy = new CancellationTokenSource(TimeSpan.FromSeconds(15));

        var read = await tls.ReadAsync(new byte[16], closedBy.Token);

        Assert.Equal(0, read); // the listener closed it; without the timeout this read would wait for ever
    }
}
