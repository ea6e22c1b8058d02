using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace OcspStapling.Tests.Support;

/// <summary>
/// Full TLS handshakes against a listener, back to back on a few connections at once, until disposed: counts
/// failures and records which certificates (by serial) were served, to show a change happened under load.
/// </summary>
public sealed class HandshakeLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _clients;
    private readonly HashSet<string> _serials = new();
    private readonly List<string> _failures = new();
    private long _completed;

    public HandshakeLoad(IPEndPoint server, string serverName, int connections = 4)
    {
        _clients = Enumerable.Range(0, connections).Select(_ => Task.Run(() => RunAsync(server, serverName))).ToArray();
    }

    public long Completed => Interlocked.Read(ref _completed);

    public IReadOnlyList<string> Failures
    {
        get { lock (_failures) return _failures.ToList(); }
    }

    public IReadOnlyCollection<string> Serials
    {
        get { lock (_serials) return _serials.ToList(); }
    }

    private async Task RunAsync(IPEndPoint server, string serverName)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(server, _stop.Token);
                await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                deadline.CancelAfter(TimeSpan.FromSeconds(10));
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = serverName, AllowTlsResume = false }, deadline.Token);
                var serial = new X509Certificate2(tls.RemoteCertificate!).SerialNumber;
                lock (_serials)
                    _serials.Add(serial);
                Interlocked.Increment(ref _completed);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                lock (_failures)
                    _failures.Add(e.Message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await Task.WhenAll(_clients);
    }
}
