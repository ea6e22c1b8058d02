using System.Net.Sockets;

namespace OcspStapling.Engine.Tls;

/// <summary>Relays decrypted bytes between a TLS client and a plain TCP backend, both ways, with half-close.</summary>
internal static class TcpForwarder
{
    private const int BufferBytes = 64 * 1024;

    public static async Task RelayAsync(Stream client, Socket backend, CancellationToken cancel)
    {
        using var backendStream = new NetworkStream(backend, ownsSocket: false);
        var up = PumpAsync(client, backendStream, () => backend.Shutdown(SocketShutdown.Send), cancel);
        var down = PumpAsync(backendStream, client, () => TlsClose.SendCloseNotifyAsync(client).GetAwaiter().GetResult(), cancel);
        await Task.WhenAll(up, down).ConfigureAwait(false);
    }

    // Copies until the source says it is done, then tells the destination so (FIN or close_notify) and lets the
    // other direction run on: a client may finish sending and still wait for the backend's answer.
    private static async Task PumpAsync(Stream from, Stream to, Action closeWrite, CancellationToken cancel)
    {
        var buffer = new byte[BufferBytes];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, cancel).ConfigureAwait(false)) > 0)
                await to.WriteAsync(buffer.AsMemory(0, read), cancel).ConfigureAwait(false);
            await to.FlushAsync(cancel).ConfigureAwait(false);
            closeWrite();
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // One side vanished; the connection is over in both directions.
        }
    }
}
