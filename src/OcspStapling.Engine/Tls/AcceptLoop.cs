using System.Net.Sockets;

namespace OcspStapling.Engine.Tls;

/// <summary>
/// Accepts connections until stopped and hands each to its handler on the thread pool, so one slow client never
/// holds up the next. A failed accept (a client that reset before it was taken) is skipped; only the stop ends it.
/// </summary>
internal static class AcceptLoop
{
    public static async Task RunAsync(TcpListener listening, Func<Socket, Task> handle, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listening.AcceptSocketAsync(stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (stop.IsCancellationRequested)
                    return;
                continue;
            }
            _ = Task.Run(() => handle(socket));
        }
    }
}
