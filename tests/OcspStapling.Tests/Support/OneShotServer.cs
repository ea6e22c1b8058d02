using System.Net;
using System.Net.Sockets;

namespace OcspStapling.Tests.Support;

/// <summary>A loopback server that serves exactly one connection with a scripted conversation, for malformed peers.</summary>
public sealed class OneShotServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Task _serve;

    private OneShotServer(TcpListener listener, Func<NetworkStream, Task> script)
    {
        _listener = listener;
        _serve = Task.Run(async () =>
        {
            using var client = await _listener.AcceptTcpClientAsync();
            await script(client.GetStream());
        });
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static OneShotServer Start(Func<NetworkStream, Task> script)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new OneShotServer(listener, script);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        try
        {
            await _serve.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or TimeoutException)
        {
        }
    }
}
