using System.Net.Sockets;

namespace OcspStapling.Engine.Tls.OpenSsl;

/// <summary>The listener's TLS front on Linux with OpenSSL 3: <see cref="HandshakeLoop"/> over one SSL_CTX.</summary>
internal sealed class OpenSslFront : ITlsFront
{
    private readonly OpenSslServerContext _context;
    private readonly ListenerOptions _options;
    private readonly HandshakeCounters _counters;
    private HandshakeLoop? _loop;

    public OpenSslFront(ListenerOptions options, HandshakeCounters counters)
    {
        _options = options;
        _counters = counters;
        _context = OpenSslServerContext.Create(options.Certificate, options.Intermediates, options.AllowResumption);
    }

    public string Description => $"{LibSsl.Version}, {HandshakeLoop.ThreadCount} handshake threads";

    public bool CanStaple => true;

    public void Staple(byte[]? der, DateTimeOffset expires) => _context.Staple(der, expires);

    public void Start(TcpListener listening, Func<Stream, Task> serve)
    {
        var settings = new LoopSettings(_options.HandshakeTimeout, HandOffAtOnce: _options.ForwardTo != null, _counters,
            stream => _ = Task.Run(async () =>
            {
                await using (stream)
                    await serve(stream).ConfigureAwait(false);
            }));
        _loop = new HandshakeLoop(_context, listening.Server, settings);
        _loop.Start();
    }

    public ValueTask DisposeAsync()
    {
        _loop?.Dispose();
        _context.Dispose();
        return ValueTask.CompletedTask;
    }
}
