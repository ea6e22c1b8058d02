using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OcspStapling.Engine.Lab;

/// <summary>A request as the lab server saw it.</summary>
public sealed record LabHttpRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, string Version = "HTTP/1.1")
{
    /// <summary>
    /// HTTP/1.0 closes after the response unless the client asked for keep-alive; HTTP/1.1 keeps the connection unless
    /// the client said "Connection: close" (RFC 9112 9.3). Peers such as nginx, Apache and ocsptool read until close.
    /// </summary>
    public bool KeepAlive
    {
        get
        {
            var connection = Headers.TryGetValue("Connection", out var value) ? value : "";
            bool Says(string token) => connection.Split(',').Any(t => t.Trim().Equals(token, StringComparison.OrdinalIgnoreCase));
            return Version == "HTTP/1.0" ? Says("keep-alive") : !Says("close");
        }
    }
}

/// <summary>What the lab server sends back. A null ContentType sends none.</summary>
public sealed record LabHttpResponse(int StatusCode, string? ContentType, byte[] Body, TimeSpan Delay = default, string? Location = null, string? RetryAfter = null, Action? Done = null);

/// <summary>
/// A tiny HTTP/1.1 server on 127.0.0.1 with keep-alive, written on sockets so the lab can send exactly the bytes
/// a faulty responder would (no content type, wrong lengths, stalls) without a web framework in the way.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private const int MaxHeaderBytes = 16 * 1024;
    private const int MaxBodyBytes = 1024 * 1024;

    private readonly TcpListener _listener;
    private readonly Func<LabHttpRequest, LabHttpResponse> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2? _tlsCertificate;

    /// <param name="tlsCertificate">Serve https with this certificate (with its key); null serves plain http.</param>
    public LoopbackHttpServer(Func<LabHttpRequest, LabHttpResponse> handler, int port = 0, System.Security.Cryptography.X509Certificates.X509Certificate2? tlsCertificate = null)
    {
        _handler = handler;
        _tlsCertificate = tlsCertificate;
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start(backlog: 512);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    public Uri BaseUrl => new($"{(_tlsCertificate != null ? "https" : "http")}://127.0.0.1:{Port}/");

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            client.NoDelay = true;
            Stream stream = client.GetStream();
            try
            {
                if (_tlsCertificate != null)
                {
                    var tls = new System.Net.Security.SslStream(stream);
                    await tls.AuthenticateAsServerAsync(_tlsCertificate).ConfigureAwait(false);
                    stream = tls;
                }
                var reader = new BufferedReader(stream);
                while (!_stop.IsCancellationRequested)
                {
                    var request = await ReadRequestAsync(reader).ConfigureAwait(false);
                    if (request == null)
                        return;
                    var response = _handler(request);
                    if (response.Delay > TimeSpan.Zero)
                        await Task.Delay(response.Delay, _stop.Token).ConfigureAwait(false);
                    try
                    {
                        await WriteResponseAsync(stream, response, request.KeepAlive).ConfigureAwait(false);
                    }
                    finally
                    {
                        response.Done?.Invoke();
                    }
                    if (!request.KeepAlive)
                        return;
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or FormatException or System.Security.Authentication.AuthenticationException)
            {
                // The client went away or sent nonsense; the lab only serves well-behaved clients.
            }
        }
    }

    private async Task<LabHttpRequest?> ReadRequestAsync(BufferedReader reader)
    {
        var head = await reader.ReadHeadAsync(MaxHeaderBytes, _stop.Token).ConfigureAwait(false);
        if (head == null)
            return null;
        var lines = head.Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length < 3)
            throw new FormatException("bad request line");
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon > 0)
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        var length = headers.TryGetValue("Content-Length", out var l) ? int.Parse(l) : 0;
        if (length > MaxBodyBytes)
            throw new FormatException("body too large");
        var body = await reader.ReadExactlyAsync(length, _stop.Token).ConfigureAwait(false);
        return new LabHttpRequest(parts[0], parts[1], headers, body, parts[2]);
    }

    private async Task WriteResponseAsync(Stream stream, LabHttpResponse response, bool keepAlive)
    {
        var head = new StringBuilder()
            .Append($"HTTP/1.1 {response.StatusCode} {(response.StatusCode == 200 ? "OK" : "Error")}\r\n")
            .Append(response.ContentType != null ? $"Content-Type: {response.ContentType}\r\n" : "")
            .Append(response.Location != null ? $"Location: {response.Location}\r\n" : "")
            .Append(response.RetryAfter != null ? $"Retry-After: {response.RetryAfter}\r\n" : "")
            .Append(keepAlive ? "" : "Connection: close\r\n")
            .Append($"Content-Length: {response.Body.Length}\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), _stop.Token).ConfigureAwait(false);
        await stream.WriteAsync(response.Body, _stop.Token).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _acceptLoop.ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>Reads an HTTP head and body from a stream that may hold several pipelined requests.</summary>
    private sealed class BufferedReader
    {
        private readonly Stream _stream;
        private byte[] _buffer = new byte[8192];
        private int _start;
        private int _end;

        public BufferedReader(Stream stream) => _stream = stream;

        public async Task<string?> ReadHeadAsync(int max, CancellationToken cancel)
        {
            while (true)
            {
                var index = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
                if (index >= 0)
                {
                    var head = Encoding.ASCII.GetString(_buffer, _start, index);
                    _start += index + 4;
                    return head;
                }
                if (_end - _start > max)
                    throw new FormatException("header too large");
                if (!await FillAsync(cancel).ConfigureAwait(false))
                    return null;
            }
        }

        public async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancel)
        {
            while (_end - _start < count)
            {
                if (!await FillAsync(cancel).ConfigureAwait(false))
                    throw new IOException("connection closed mid-body");
            }
            var result = _buffer.AsSpan(_start, count).ToArray();
            _start += count;
            return result;
        }

        private async Task<bool> FillAsync(CancellationToken cancel)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length)
                Array.Resize(ref _buffer, _buffer.Length * 2);
            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancel).ConfigureAwait(false);
            _end += read;
            return read > 0;
        }
    }
}
