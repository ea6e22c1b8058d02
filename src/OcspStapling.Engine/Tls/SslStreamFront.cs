using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace OcspStapling.Engine.Tls;

/// <summary>
/// The listener's TLS front where OpenSSL 3 cannot be used directly: .NET's SslStream, stapling through
/// <see cref="SslStreamStapling"/> on Linux, or not at all on Windows when AllowNoStapling says so.
/// </summary>
internal sealed class SslStreamFront : ITlsFront
{
    private readonly ListenerOptions _options;
    private readonly HandshakeCounters _counters;
    private readonly SslStreamCertificateContext _context;
    private readonly SslServerAuthenticationOptions _tls;
    private readonly CancellationTokenSource _stop = new();
    private Task _acceptLoop = Task.CompletedTask;

    public SslStreamFront(ListenerOptions options, HandshakeCounters counters)
    {
        _options = options;
        _counters = counters;
        _context = SslStreamStapling.CreateContext(options.Certificate, options.Intermediates, options.AllowNoStapling);
        _tls = new SslServerAuthenticationOptions { ServerCertificateContext = _context, ClientCertificateRequired = false, AllowTlsResume = options.AllowResumption };
    }

    public string Description => "SslStream";

    public bool CanStaple => SslStreamStapling.Unsupported == null;

    public void Staple(byte[]? der, DateTimeOffset expires) => SslStreamStapling.Apply(_context, der, expires);

    public void Start(TcpListener listening, Func<Stream, Task> serve) => _acceptLoop = Task.Run(() => AcceptLoopAsync(listening, serve));

    private async Task AcceptLoopAsync(TcpListener listening, Func<Stream, Task> serve)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listening.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                    return;
                continue;
            }
            _ = Task.Run(() => ServeAsync(socket, serve));
        }
    }

    private async Task ServeAsync(Socket socket, Func<Stream, Task> serve)
    {
        socket.NoDelay = true;
        _counters.Started();
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        try
        {
            using var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            handshake.CancelAfter(_options.HandshakeTimeout);
            await tls.AuthenticateAsServerAsync(_tls, handshake.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Garbage, scanners and clients that hang up: their problem, never the listener's.
            _counters.Failed();
            return;
        }
        _counters.Succeeded();
        await serve(tls).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        // Not disposed: handshakes still in flight link their timeouts to it.
        _stop.Cancel();
        await _acceptLoop.ConfigureAwait(false);
    }
}
