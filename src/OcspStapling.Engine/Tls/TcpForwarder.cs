using System.Net.Sockets;

namespace OcspStapling.Engine.Tls;

/// <summary>
/// Relays decrypted bytes between a TLS client and a plain TCP backend, both ways, with half-close. A connection on
/// which neither side sends anything for the idle timeout is closed, so silent clients cannot hold descriptors.
/// </summary>
internal static class TcpForwarder
{
    private const int BufferBytes = 64 * 1024;

    public static async Task RelayAsync(Stream client, Socket backend, TimeSpan idleTimeout, CancellationToken cancel)
    {
        using var backendStream = new NetworkStream(backend, ownsSocket: false);
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var lastActivity = Environment.TickCount64;
        void Moved() => Volatile.Write(ref lastActivity, Environment.TickCount64);
        var up = PumpAsync(client, backendStream, () => backend.Shutdown(SocketShutdown.Send), Moved, idle.Token);
        var down = PumpAsync(backendStream, client, () => TlsClose.SendCloseNotifyAsync(client).GetAwaiter().GetResult(), Moved, idle.Token);
        var both = Task.WhenAll(up, down);
        var check = TimeSpan.FromMilliseconds(Math.Clamp(idleTimeout.TotalMilliseconds / 4, 50, 1000));
        while (!both.IsCompleted)
        {
            await Task.WhenAny(both, Task.Delay(check, CancellationToken.None)).ConfigureAwait(false);
            if (Environment.TickCount64 - Volatile.Read(ref lastActivity) >= idleTimeout.TotalMilliseconds)
                idle.Cancel(); // both pumps end; the caller closes both connections
        }
        await both.ConfigureAwait(false);
    }

    // Copies until the source says it is done, then tells the destination so (FIN or close_notify) and lets the
    // other direction run on: a client may finish sending and still wait for the backend's answer.
    private static async Task PumpAsync(Stream from, Stream to, Action closeWrite, Action moved, CancellationToken cancel)
    {
        var buffer = new byte[BufferBytes];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, cancel).ConfigureAwait(false)) > 0)
            {
                moved();
                await to.WriteAsync(buffer.AsMemory(0, read), cancel).ConfigureAwait(false);
                moved();
            }
            await to.FlushAsync(cancel).ConfigureAwait(false);
            closeWrite();
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // One side vanished; the connection is over in both directions.
        }
    }
}
