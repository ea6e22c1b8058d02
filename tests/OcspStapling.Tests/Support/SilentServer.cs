using System.Net;
using System.Net.Sockets;

namespace OcspStapling.Tests.Support;

/// <summary>
/// A loopback TCP server that accepts every connection and never says a word: the peer that makes a client wait
/// for its deadline, its idle timeout or a signal.
/// </summary>
public sealed class SilentServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<Socket> _held = new();

    public SilentServer()
    {
        _listener.Start();
        _ = Task.Run(AcceptForEverAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Accepted
    {
        get { lock (_held) return _held.Count; }
    }

    public void Dispose()
    {
        _listener.Stop();
        lock (_held)
            _held.ForEach(socket => socket.Dispose());
    }

    private async Task AcceptForEverAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync();
                lock (_held)
                    _held.Add(socket);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Stopped by Dispose.
        }
    }
}
