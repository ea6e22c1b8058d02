using System.Runtime.CompilerServices;
using System.Net.Security;

namespace OcspStapling.Engine.Tls;

/// <summary>One certificate as the SslStream front serves it: its server options, and the staple its context carries.</summary>
internal sealed class SslStreamServedContext : IServedContext
{
    private readonly SslStreamCertificateContext _context;
    private volatile StrongBox<DateTimeOffset>? _stapledUntil;

    public SslStreamServedContext(ServedCertificate served, ListenerOptions options)
    {
        _context = SslStreamStapling.CreateContext(served.Certificate, served.Intermediates, options.AllowNoStapling);
        Options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = _context,
            ClientCertificateRequired = false,
            AllowTlsResume = options.AllowResumption,
            ApplicationProtocols = options.Alpn.Count > 0 ? options.Alpn.Select(p => new SslApplicationProtocol(p)).ToList() : null,
        };
    }

    public SslServerAuthenticationOptions Options { get; }

    public void Staple(byte[]? der, DateTimeOffset expires)
    {
        SslStreamStapling.Apply(_context, der, expires);
        _stapledUntil = der == null || SslStreamStapling.Unsupported != null ? null : new StrongBox<DateTimeOffset>(expires);
    }

    public bool HasValidStaple => _stapledUntil is { } until && until.Value > DateTimeOffset.UtcNow;

    public void Dispose()
    {
        // Nothing to free: the context's certificates belong to the ServedCertificate, connections hold the context.
    }
}
