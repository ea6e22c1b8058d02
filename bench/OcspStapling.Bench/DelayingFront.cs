using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OcspStapling.Bench;

/// <summary>
/// A CA that is far away, on loopback (issues 24 and 25): a small HTTP/1.1 forwarder in front of a real responder
/// (`openssl ocsp -port`, or the lab responder) that answers each request <see cref="Delay"/> after the responder
/// answered it, and measures how long each request spends in it and how many are in it at once.
/// Clients may keep connections alive (as .NET's HttpClient does) or send one request per connection (as
/// `openssl ocsp` does); each request is forwarded on its own connection to the responder, which closes it.
/// The polite limit of a run is the requests' total time in the front divided by the requests a polite client keeps in
/// flight per responder host (4): <see cref="FrontStatistics.PoliteLimit"/>.
/// </summary>
internal sealed class DelayingFront : IAsyncDisposable
{
    private const int MaxHeaderBytes = 16 * 1024;
    private const int MaxBodyBytes = 1024 * 1024;
    private const int Levels = 65;

    private readonly TcpListener _listener;
    private readonly IPEndPoint _upstream;
    private readonly string _upstreamHost;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly object _gate = new();

    // Under _gate.
    private int _inFlight;
    private int _peak;
    private long _requests;
    private long _failures;
    private long _connections;
    private long _ticksInFront;
    private long _firstEntered;
    private long _lastLeft;
    private long _since = Stopwatch.GetTimestamp();
    private long _lastChange = Stopwatch.GetTimestamp();
    private readonly long[] _ticksAtLevel = new long[Levels];

    private DelayingFront(Uri upstream, TimeSpan delay, int port)
    {
        if (upstream.Scheme != Uri.UriSchemeHttp)
            throw new ArgumentException($"the front forwards to http:// responders only, not {upstream}");
        var address = upstream.IsLoopback && upstream.HostNameType == UriHostNameType.Dns ? IPAddress.Loopback : IPAddress.Parse(upstream.Host);
        if (!IPAddress.IsLoopback(address))
            throw new ArgumentException($"the front forwards to loopback only, not {upstream}");
        _upstream = new IPEndPoint(address, upstream.Port);
        _upstreamHost = upstream.Authority;
        Delay = delay;
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start(512);
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    /// <summary>Starts listening on 127.0.0.1 (a free port unless <paramref name="port"/> says) in front of <paramref name="upstream"/>.</summary>
    public static DelayingFront Start(Uri upstream, TimeSpan delay, int port = 0) => new(upstream, delay, port);

    /// <summary>What certificates' AIA OCSP URL names: the front, not the responder.</summary>
    public Uri Url { get; }

    /// <summary>Added to every answer.</summary>
    public TimeSpan Delay { get; }

    /// <summary>The figures since the front started or since the last <see cref="Reset"/>.</summary>
    public FrontStatistics Read()
    {
        lock (_gate)
        {
            var now = Stopwatch.GetTimestamp();
            CloseInterval(now);
            var levels = _ticksAtLevel.Select(t => Stopwatch.GetElapsedTime(0, t)).ToArray();
            return new FrontStatistics(_requests, _failures, _connections, _peak, Stopwatch.GetElapsedTime(0, _ticksInFront),
                Stopwatch.GetElapsedTime(_since, now), levels, _firstEntered, _lastLeft);
        }
    }

    /// <summary>Starts a new measurement (requests in flight now still count as in flight).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _peak = _inFlight;
            _requests = _failures = _connections = _ticksInFront = _firstEntered = _lastLeft = 0;
            _since = _lastChange = Stopwatch.GetTimestamp();
            Array.Clear(_ticksAtLevel);
        }
    }

    private void CloseInterval(long now)
    {
        _ticksAtLevel[Math.Min(_inFlight, Levels - 1)] += now - _lastChange;
        _lastChange = now;
    }

    private long Enter()
    {
        lock (_gate)
        {
            var now = Stopwatch.GetTimestamp();
            CloseInterval(now);
            _inFlight++;
            if (_firstEntered == 0)
                _firstEntered = now;
            _peak = Math.Max(_peak, _inFlight);
            return now;
        }
    }

    private void Leave(long entered, bool failed)
    {
        lock (_gate)
        {
            var now = Stopwatch.GetTimestamp();
            CloseInterval(now);
            _inFlight--;
            _requests++;
            if (failed)
                _failures++;
            _ticksInFront += now - entered;
            _lastLeft = now;
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            lock (_gate)
                _connections++;
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        client.NoDelay = true;
        var stream = client.GetStream();
        var reader = new HttpReader(stream);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var request = await reader.ReadRequestAsync(_stop.Token);
                if (request == null)
                    return;
                // In the front from the moment the request has arrived until its answer has been written.
                var entered = Enter();
                var failed = false;
                try
                {
                    Answer answer;
                    try
                    {
                        answer = await ForwardAsync(request, _stop.Token);
                    }
                    catch (Exception e) when (e is SocketException or IOException or FormatException)
                    {
                        failed = true;
                        answer = new Answer(502, "Bad Gateway", new List<(string, string)> { ("Content-Type", "text/plain") }, Encoding.ASCII.GetBytes(e.Message));
                    }
                    failed |= answer.Status >= 500;
                    await Task.Delay(Delay, _stop.Token);
                    await WriteAnswerAsync(stream, answer, request.KeepAlive, _stop.Token);
                }
                finally
                {
                    Leave(entered, failed);
                }
                if (!request.KeepAlive)
                    return;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or FormatException)
        {
            // The client went away or spoke nonsense: this connection ends, the front goes on.
        }
    }

    private async Task<Answer> ForwardAsync(Request request, CancellationToken cancel)
    {
        using var upstream = new TcpClient { NoDelay = true };
        await upstream.ConnectAsync(_upstream, cancel);
        var stream = upstream.GetStream();
        var head = new StringBuilder($"{request.Method} {request.Target} HTTP/1.0\r\nHost: {_upstreamHost}\r\n");
        foreach (var (name, value) in request.Headers)
        {
            if (!IsHopByHop(name) && !name.Equals("Host", StringComparison.OrdinalIgnoreCase))
                head.Append(name).Append(": ").Append(value).Append("\r\n");
        }
        if (request.Body.Length > 0 || request.Method == "POST")
            head.Append("Content-Length: ").Append(request.Body.Length).Append("\r\n");
        head.Append("Connection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), cancel);
        await stream.WriteAsync(request.Body, cancel);
        await stream.FlushAsync(cancel);
        return await new HttpReader(stream).ReadAnswerAsync(cancel);
    }

    private static async Task WriteAnswerAsync(NetworkStream stream, Answer answer, bool keepAlive, CancellationToken cancel)
    {
        var head = new StringBuilder($"HTTP/1.1 {answer.Status} {answer.Reason}\r\n");
        foreach (var (name, value) in answer.Headers)
        {
            if (!IsHopByHop(name))
                head.Append(name).Append(": ").Append(value).Append("\r\n");
        }
        head.Append("Content-Length: ").Append(answer.Body.Length).Append("\r\n");
        head.Append(keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");
        var bytes = Encoding.ASCII.GetBytes(head.ToString());
        var all = new byte[bytes.Length + answer.Body.Length];
        bytes.CopyTo(all, 0);
        answer.Body.CopyTo(all, bytes.Length);
        await stream.WriteAsync(all, cancel);
        await stream.FlushAsync(cancel);
    }

    private static bool IsHopByHop(string name) =>
        name.Equals("Connection", StringComparison.OrdinalIgnoreCase) || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase) ||
        name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) ||
        name.Equals("Proxy-Connection", StringComparison.OrdinalIgnoreCase);

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }

    private sealed record Request(string Method, string Target, List<(string Name, string Value)> Headers, byte[] Body, bool KeepAlive);

    private sealed record Answer(int Status, string Reason, List<(string Name, string Value)> Headers, byte[] Body);

    /// <summary>Just enough HTTP/1.x to read requests (Content-Length bodies) and answers (Content-Length or read to close).</summary>
    private sealed class HttpReader
    {
        private readonly Stream _stream;
        private readonly byte[] _buffer = new byte[MaxHeaderBytes];
        private int _start;
        private int _end;

        public HttpReader(Stream stream) => _stream = stream;

        public async Task<Request?> ReadRequestAsync(CancellationToken cancel)
        {
            var head = await ReadHeadAsync(cancel);
            if (head == null)
                return null;
            var line = head[0].Split(' ');
            if (line.Length != 3 || !line[2].StartsWith("HTTP/1."))
                throw new FormatException($"not an HTTP/1.x request line: {head[0]}");
            var headers = Headers(head);
            var length = ContentLength(headers) ?? 0;
            var body = await ReadExactAsync(length, cancel);
            var connection = headers.FirstOrDefault(h => h.Name.Equals("Connection", StringComparison.OrdinalIgnoreCase)).Value ?? "";
            var keepAlive = line[2] == "HTTP/1.0"
                ? connection.Contains("keep-alive", StringComparison.OrdinalIgnoreCase)
                : !connection.Contains("close", StringComparison.OrdinalIgnoreCase);
            return new Request(line[0], line[1], headers, body, keepAlive);
        }

        public async Task<Answer> ReadAnswerAsync(CancellationToken cancel)
        {
            var head = await ReadHeadAsync(cancel) ?? throw new IOException("the responder closed the connection without answering");
            var line = head[0].Split(' ', 3);
            if (line.Length < 2 || !line[0].StartsWith("HTTP/1.") || !int.TryParse(line[1], out var status))
                throw new FormatException($"not an HTTP/1.x status line: {head[0]}");
            var headers = Headers(head);
            byte[] body;
            if (ContentLength(headers) is { } length)
                body = await ReadExactAsync(length, cancel);
            else
                body = await ReadToEndAsync(cancel);
            return new Answer(status, line.Length > 2 ? line[2] : "", headers, body);
        }

        private static List<(string Name, string Value)> Headers(List<string> head) =>
            head.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2).Select(p => (p[0].Trim(), p[1].Trim())).ToList();

        private static int? ContentLength(List<(string Name, string Value)> headers)
        {
            var value = headers.FirstOrDefault(h => h.Name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Value;
            if (value == null)
                return null;
            var length = int.Parse(value);
            return length is < 0 or > MaxBodyBytes ? throw new FormatException($"Content-Length {value}") : length;
        }

        /// <summary>The request or status line and the header lines; null when the peer closed before sending anything.</summary>
        private async Task<List<string>?> ReadHeadAsync(CancellationToken cancel)
        {
            while (true)
            {
                var end = IndexOfBlankLine();
                if (end >= 0)
                {
                    var text = Encoding.ASCII.GetString(_buffer, _start, end - _start);
                    _start = end + 4;
                    return text.Split("\r\n").ToList();
                }
                if (_start > 0)
                {
                    Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                    _end -= _start;
                    _start = 0;
                }
                if (_end == _buffer.Length)
                    throw new FormatException("HTTP head too large");
                var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancel);
                if (read == 0)
                    return _end == _start ? null : throw new IOException("connection closed in the middle of an HTTP head");
                _end += read;
            }
        }

        private int IndexOfBlankLine()
        {
            var index = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
            return index < 0 ? -1 : _start + index;
        }

        private async Task<byte[]> ReadExactAsync(int length, CancellationToken cancel)
        {
            var body = new byte[length];
            var have = Math.Min(length, _end - _start);
            Buffer.BlockCopy(_buffer, _start, body, 0, have);
            _start += have;
            while (have < length)
            {
                var read = await _stream.ReadAsync(body.AsMemory(have), cancel);
                if (read == 0)
                    throw new IOException("connection closed in the middle of an HTTP body");
                have += read;
            }
            return body;
        }

        private async Task<byte[]> ReadToEndAsync(CancellationToken cancel)
        {
            var body = new MemoryStream();
            body.Write(_buffer, _start, _end - _start);
            _start = _end;
            var chunk = new byte[8192];
            int read;
            while ((read = await _stream.ReadAsync(chunk, cancel)) > 0)
            {
                body.Write(chunk, 0, read);
                if (body.Length > MaxBodyBytes)
                    throw new FormatException("answer too large");
            }
            return body.ToArray();
        }
    }
}

/// <summary>
/// What a <see cref="DelayingFront"/> saw over one measurement. The timestamps (when the first request arrived, when the
/// last answer left; 0 if none) are <see cref="Stopwatch.GetTimestamp"/>'s, CLOCK_MONOTONIC on Linux, so another .NET
/// process on the machine (pwsh) can be placed on the same clock.
/// </summary>
internal sealed record FrontStatistics(long Requests, long Failures, long Connections, int PeakInFlight, TimeSpan TimeInFront,
    TimeSpan Elapsed, IReadOnlyList<TimeSpan> TimeAtLevel, long FirstRequestTimestamp, long LastAnswerTimestamp)
{
    /// <summary>Requests a polite client keeps in flight per responder host (the product's -ResponderConcurrency default).</summary>
    public const int PoliteInFlight = 4;

    /// <summary>The shortest wall time a client keeping <paramref name="perHost"/> requests in flight could take for these requests.</summary>
    public TimeSpan PoliteLimit(int perHost = PoliteInFlight) => TimeInFront / perHost;

    /// <summary>Mean time one request spent in the front.</summary>
    public TimeSpan MeanTimeInFront => Requests == 0 ? TimeSpan.Zero : TimeInFront / Requests;

    /// <summary>Time with at least <paramref name="level"/> requests in the front.</summary>
    public TimeSpan TimeAtLeast(int level) => TimeAtLevel.Skip(level).Aggregate(TimeSpan.Zero, (a, b) => a + b);
}
