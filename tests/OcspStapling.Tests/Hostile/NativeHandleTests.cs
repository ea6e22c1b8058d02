using System.Net;
using System.Net.Sockets;
using OcspStapling.Engine.Tls;
using OcspStapling.Engine.Tls.OpenSsl;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Hostile;

/// <summary>
/// The OpenSSL front's native objects are SafeHandles: freed once whatever the order and concurrency of disposal,
/// and the SSL_CTX (with its status callback's target) alive while any connection made from it is.
/// </summary>
public sealed class NativeHandleTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public NativeHandleTests(LabResponderFixture lab) => _lab = lab;

    [PeerFact("openssl")]
    public void A_connection_keeps_its_context_alive_after_the_context_is_disposed_twice()
    {
        var options = ListenerFiles.Options(_lab.GoodLeaf("handles.example.test"));
        using var sni = new OpenSslSni(Array.Empty<string>());
        var context = OpenSslServerContext.Create(options.Certificates[0], allowResumption: true, sni);
        var ssl = SslHandle.Create(context.Handle)!;

        context.Dispose();
        context.Dispose();

        // Released only when its last user goes: still open, and the SSL object still works against it.
        Assert.False(context.Handle.IsClosed);
        Assert.Equal(0, LibSsl.SSL_get_error(ssl, 1)); // SSL_ERROR_NONE
        ssl.Dispose();
        ssl.Dispose();
        Assert.True(ssl.IsClosed);
        Assert.True(context.Handle.IsClosed);
    }

    [PeerFact("openssl")]
    public async Task Stopping_a_listener_from_two_threads_with_handshakes_in_flight_and_connections_handed_off_is_safe()
    {
        var cert = _lab.GoodLeaf("stopload.example.test");
        var listener = await StaplingListener.StartAsync(ListenerFiles.Options(cert) with { Tls = ListenerTls.OpenSsl });
        var endpoint = new IPEndPoint(IPAddress.Loopback, listener.Endpoint.Port);
        using var client = new OpenSslHandshakeClient(0x0304);
        var open = Enumerable.Range(0, 5).Select(_ => client.Open(endpoint, "stopload.example.test")).ToList();
        foreach (var (socket, _) in open)
            socket.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8); // first bytes: handed off to a stream
        var halfDone = Enumerable.Range(0, 20).Select(_ =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Connect(endpoint);
            socket.Send(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01 }); // a ClientHello that never finishes
            return socket;
        }).ToList();
        await Task.Delay(200);

        await Task.WhenAll(Task.Run(() => listener.DisposeAsync().AsTask()), Task.Run(() => listener.DisposeAsync().AsTask()));
        await listener.DisposeAsync();
        GC.Collect();
        GC.WaitForPendingFinalizers();

        open.ForEach(OpenSslHandshakeClient.Close);
        halfDone.ForEach(s => s.Dispose());
        // Still alive (a double free would have ended the test host), and the port is free again.
        using var probe = new TcpListener(endpoint);
        probe.Start();
    }
}
