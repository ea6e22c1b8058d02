using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OcspStapling.Engine.Tls;

/// <summary>
/// Plain HTTP for Prometheus to scrape: GET /metrics answers with the text the listener renders at that moment, anything
/// else 404. One request per connection, each read bounded in size and time, so a client that says nothing, or too
/// much, costs a few seconds of one task and never the listener.
/// </summary>
internal sealed class MetricsEndpoint : IAsyncDisposable
{
    private const int MaxRequestHead = 8 * 1024;
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    private readonly TcpListener _tcp;
    private readonly Func<string> _render;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    private MetricsEndpoint(TcpListener tcp, Func<string> render)
    {
        _tcp = tcp;
        _render = render;
        Endpoint = (IPEndPoint)tcp.LocalEndpoint;
        _accepting = Task.Run(() => AcceptLoop.RunAsync(tcp, AnswerAsync, _stop.Token));
    }

    public IPEndPoint Endpoint { get; }

    public static MetricsEndpoint Start(IPEndPoint endpoint, Func<string> render)
    {
        var tcp = new TcpListener(endpoint);
        try
        {
            tcp.Start();
        }
        catch (SocketException e)
        {
            throw new StaplingException(FailureReason.InvalidArgument, endpoint.ToString(), $"Cannot serve metrics on {endpoint}: {e.Message}.", e);
        }
        return new MetricsEndpoint(tcp, render);
    }

    private async Task AnswerAsync(Socket client)
    {
        using (client)
        {
            try
            {
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                deadline.CancelAfter(ReadTimeout);
                await using var stream = new NetworkStream(client, ownsSocket: false);
                if (await RequestHead.ReadAsync(stream, MaxRequestHead, deadline.Token).ConfigureAwait(false) is not { Complete: true, FirstLine: var head })
                    return;
                var path = head.Split(' ', 3) is [_, var target, _] ? target.Split('?')[0] : "";
                var (status, body) = head.StartsWith("GET ", StringComparison.Ordinal) && path == "/metrics"
                    ? ("200 OK", _render())
                    : ("404 Not Found", "Metrics are at /metrics.\n");
                var bytes = Encoding.UTF8.GetBytes(body);
                var response = Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n");
                await client.SendAsync(response, deadline.Token).ConfigureAwait(false);
                await client.SendAsync(bytes, deadline.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
            {
                // Scrapers that hang up or never finish asking: their problem.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _tcp.Stop();
        await _accepting.ConfigureAwait(false);
    }
}
