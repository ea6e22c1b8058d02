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
    private readonly CancellationTokenSource _stop = new();
    private volatile ServerNameTable<IServedContext>? _table;
    private Task _acceptLoop = Task.CompletedTask;

    public SslStreamFront(ListenerOptions options, HandshakeCounters counters)
    {
        _options = options;
        _counters = counters;
    }

    public string Description => "SslStream";

    public bool CanStaple => SslStreamStapling.Unsupported == null;

    public IServedContext CreateContext(ServedCertificate certificate) => new SslStreamServedContext(certificate, _options);

    public void Serve(ServerNameTable<IServedContext> table) => _table = table;

    public void Start(TcpListener listening, Func<Stream, Task> serve) =>
        _acceptLoop = Task.Run(() => AcceptLoop.RunAsync(listening, socket => ServeAsync(socket, serve), _stop.Token));

    private async Task ServeAsync(Socket socket, Func<Stream, Task> serve)
    {
        socket.NoDelay = true;
        _counters.Started();
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        SslStreamServedContext? chosen = null;
        try
        {
            using var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            handshake.CancelAfter(_options.HandshakeTimeout);
            // The certificate is picked from the ClientHello's server name, as the OpenSSL front's callback does.
            await tls.AuthenticateAsServerAsync((_, hello, _, _) =>
            {
                chosen = (SslStreamServedContext)_table!.Pick(hello.ServerName);
                return ValueTask.FromResult(chosen.Options);
            }, null, handshake.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Garbage, scanners and clients that hang up: their problem, never the listener's.
            _counters.Failed();
            return;
        }
        _counters.Succeeded(chosen?.HasValidStaple == true);
        await serve(tls).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        // Not disposed: handshakes still in flight link their timeouts to it.
        _stop.Cancel();
        await _acceptLoop.ConfigureAwait(false);
    }
}
