using System.Net.Sockets;

namespace OcspStapling.Engine.Tls.OpenSsl;

/// <summary>The listener's TLS front on Linux with OpenSSL 3: <see cref="HandshakeLoop"/> over one SSL_CTX per certificate.</summary>
internal sealed class OpenSslFront : ITlsFront
{
    private readonly OpenSslSni _sni;
    private readonly ListenerOptions _options;
    private readonly HandshakeCounters _counters;
    private HandshakeLoop? _loop;

    public OpenSslFront(ListenerOptions options, HandshakeCounters counters)
    {
        _options = options;
        _counters = counters;
        _sni = new OpenSslSni(options.Alpn);
    }

    public string Description => $"{LibSsl.Version}, {HandshakeLoop.ThreadCount} handshake threads";

    public bool CanStaple => true;

    public IServedContext CreateContext(ServedCertificate certificate) => OpenSslServerContext.Create(certificate, _options.AllowResumption, _sni);

    public void Serve(ServerNameTable<IServedContext> table) => _sni.Use(table);

    public void Start(TcpListener listening, Func<Stream, Task> serve)
    {
        var settings = new LoopSettings(_options.HandshakeTimeout, HandOffAtOnce: _options.ForwardTo != null, _counters,
            stream => _ = Task.Run(async () =>
            {
                await using (stream)
                    await serve(stream).ConfigureAwait(false);
            }));
        _loop = new HandshakeLoop(_sni, listening.Server, settings);
        _loop.Start();
    }

    public ValueTask DisposeAsync()
    {
        _loop?.Dispose();
        _sni.Dispose();
        return ValueTask.CompletedTask;
    }
}
