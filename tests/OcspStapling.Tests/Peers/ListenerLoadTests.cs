using System.Collections.Concurrent;
using System.Net.Sockets;
using OcspStapling.Engine.Tls;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Peers;

/// <summary>The listener under load and abuse: every handshake stapled, no errors, bystanders unharmed.</summary>
public sealed class ListenerLoadTests : IClassFixture<LabResponderFixture>
{
    private const int Clients = 50;
    private const int HandshakesPerClient = 40;

    private readonly LabResponderFixture _lab;

    public ListenerLoadTests(LabResponderFixture lab) => _lab = lab;

    [PeerTheory("openssl")]
    [InlineData(ListenerTls.OpenSsl)]
    [InlineData(ListenerTls.SslStream)]
    public async Task Two_thousand_handshakes_from_fifty_clients_are_all_stapled_despite_garbage_and_hangups(ListenerTls tls)
    {
        var cert = _lab.GoodLeaf("load" + tls + ".example.test");
        await using var listener = await StaplingListener.StartAsync(ListenerFiles.Options(cert) with { Tls = tls });
        var errors = new ConcurrentQueue<string>();
        var unstapled = 0;
        using var stopAbuse = new CancellationTokenSource();
        var abuse = Task.Run(() => AbuseAsync(listener.Endpoint, stopAbuse.Token));

        var clients = Enumerable.Range(0, Clients).Select(i => Task.Factory.StartNew(() =>
        {
            using var client = new OpenSslHandshakeClient(i % 2 == 0 ? 0x0303 : 0x0304);
            for (var n = 0; n < HandshakesPerClient; n++)
            {
                try
                {
                    if (client.Handshake(listener.Endpoint, "load.example.test") == 0)
                        Interlocked.Increment(ref unstapled);
                }
                catch (IOException e)
                {
                    errors.Enqueue(e.Message);
                }
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        await Task.WhenAll(clients);
        stopAbuse.Cancel();
        var abusive = await abuse;

        Assert.Empty(errors);
        Assert.Equal(0, unstapled);
        // A TLS 1.3 client is done once it has sent its Finished; the server counts the handshake when it reads it.
        Assert.Equal(Clients * HandshakesPerClient, await Eventually.ValueOf(() => listener.StapledHandshakes, n => n >= Clients * HandshakesPerClient));
        Assert.True(abusive > 0, "the abuse ran alongside the load");
    }

    [PeerTheory("openssl")]
    [InlineData(ListenerTls.OpenSsl)]
    [InlineData(ListenerTls.SslStream)]
    public async Task TLS_1_3_clients_that_leave_right_after_their_Finished_are_not_left_piling_up(ListenerTls tls)
    {
        // Such a client starts its next connection before the server has read its Finished. A server that starts
        // new handshakes ahead of finishing old ones holds thousands of half-done connections (and their memory).
        var cert = _lab.GoodLeaf("pileup" + tls + ".example.test");
        await using var listener = await StaplingListener.StartAsync(ListenerFiles.Options(cert) with { Tls = tls });
        var mostPending = 0L;
        using var stopWatching = new CancellationTokenSource();
        var watch = Task.Run(async () =>
        {
            while (!stopWatching.IsCancellationRequested)
            {
                mostPending = Math.Max(mostPending, listener.PendingHandshakes);
                await Task.Delay(5);
            }
        });

        var clients = Enumerable.Range(0, Clients).Select(_ => Task.Factory.StartNew(() =>
        {
            using var client = new OpenSslHandshakeClient(0x0304);
            for (var n = 0; n < HandshakesPerClient; n++)
                client.Handshake(listener.Endpoint, "pileup.example.test");
        }, TaskCreationOptions.LongRunning)).ToArray();
        await Task.WhenAll(clients);
        stopWatching.Cancel();
        await watch;

        Assert.True(mostPending <= 3 * Clients, $"at most {3 * Clients} handshakes in progress with {Clients} clients; saw {mostPending}");
        Assert.Equal(0, await Eventually.ValueOf(() => listener.PendingHandshakes, n => n == 0));
    }

    // Garbage bytes and connections dropped mid-handshake, alongside the real clients.
    private static async Task<int> AbuseAsync(System.Net.IPEndPoint endpoint, CancellationToken stop)
    {
        var count = 0;
        var random = new Random(7);
        while (!stop.IsCancellationRequested)
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(endpoint);
                if (count % 2 == 0)
                {
                    var junk = new byte[random.Next(1, 600)];
                    random.NextBytes(junk);
                    await socket.SendAsync(junk);
                }
                else
                {
                    // The start of a real ClientHello, then gone.
                    await socket.SendAsync(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03 });
                }
                socket.Close(0);
                count++;
            }
            catch (SocketException)
            {
            }
            await Task.Delay(5);
        }
        return count;
    }
}
