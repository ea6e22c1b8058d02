using System.Net;
using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Refresh;
using OcspStapling.Engine.Transport;

namespace OcspStapling.Engine.Tls;

/// <summary>What a stapling listener serves, and where its staple comes from.</summary>
public sealed record ListenerOptions
{
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>0 picks a free port (see <see cref="StaplingListener.Endpoint"/>).</summary>
    public int Port { get; init; }

    /// <summary>
    /// The certificates served, each with its key and intermediates (the issuer is found among them for OCSP),
    /// chosen by the name a client sends (SNI); the first also serves clients that send none or an unknown one.
    /// </summary>
    public required IReadOnlyList<ServedCertificate> Certificates { get; init; }

    /// <summary>How often certificate and key files are checked for a renewal (SIGHUP, or <see cref="StaplingListener.ReloadAsync"/>, checks at once).</summary>
    public TimeSpan CertificatePollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Staple this file (nginx's ssl_stapling_file), re-read when it changes; null fetches automatically. One certificate only.</summary>
    public string? StapleFile { get; init; }

    /// <summary>
    /// The staple store to share with `update` (same entries, same locks: a host running both asks its CA once): a
    /// directory, or redis://… for a fleet (<see cref="Store.StapleStores.Open"/>); null keeps staples in memory only.
    /// Not used with <see cref="StapleFile"/>.
    /// </summary>
    public string? Store { get; init; }

    /// <summary>
    /// When <see cref="Store"/> cannot be used, keep staples in memory (one warning) instead of refusing to start:
    /// for a store nobody named (update's default), which this user may not be able to write.
    /// </summary>
    public bool StoreOptional { get; init; }

    /// <summary>Issuer, trusted file, responder and verification settings, as for Get-OcspResponse.</summary>
    public FetchOptions Fetch { get; init; } = FetchOptions.Default;

    public TransportOptions Transport { get; init; } = new();

    public RefreshPolicy Refresh { get; init; } = RefreshPolicy.Default;

    /// <summary>Application protocols offered to clients by ALPN, the preferred first (h2, http/1.1); empty offers none.</summary>
    public IReadOnlyList<string> Alpn { get; init; } = Array.Empty<string>();

    /// <summary>Where to serve Prometheus metrics (plain HTTP, GET /metrics); null serves none.</summary>
    public IPEndPoint? Metrics { get; init; }

    /// <summary>"host:port" to forward decrypted bytes to; null answers each connection with a status page.</summary>
    public DnsEndPoint? ForwardTo { get; init; }

    /// <summary>How often the staple file's size and time are checked for a change.</summary>
    public TimeSpan FilePollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A forwarded connection on which neither side sends anything this long is closed (nginx stream: 10 min).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Serve TLS even where this runtime cannot staple from SslStream (Windows' SChannel): the listener then never
    /// staples. Off by default, so the limitation is a clear error rather than a silent gap.
    /// </summary>
    public bool AllowNoStapling { get; init; }

    /// <summary>Offer TLS session resumption (tickets). On by default: returning clients then skip the full handshake.</summary>
    public bool AllowResumption { get; init; } = true;

    /// <summary>Which TLS implementation completes handshakes; Auto uses OpenSSL 3 directly where it can.</summary>
    public ListenerTls Tls { get; init; } = ListenerTls.Auto;

    /// <summary>
    /// How long open connections may finish when the listener stops (SIGTERM, Stop-StaplingListener): 0 closes them at
    /// once; at most an hour (systemd waits 90 s by default before it kills).
    /// </summary>
    public static readonly OptionRange<TimeSpan> DrainTimeoutRange = new(OptionName.DrainTimeout, TimeSpan.FromSeconds(10), TimeSpan.Zero, TimeSpan.FromHours(1));

    /// <summary>Parses "address:port" for --metrics / -Metrics ([::1]:9464 for IPv6).</summary>
    public static IPEndPoint ParseListenEndpoint(string text, string option) =>
        IPEndPoint.TryParse(text, out var endpoint) && endpoint.Port > 0
            ? endpoint
            : throw new StaplingException(FailureReason.InvalidArgument, text, $"{option} '{text}' is not address:port (for example 127.0.0.1:9464).");

    /// <summary>Parses "host:port" for --forward / -ForwardTo.</summary>
    public static DnsEndPoint ParseEndpoint(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], out var port) || port is < 1 or > 65535)
            throw new StaplingException(FailureReason.InvalidArgument, text, $"'{text}' is not host:port (for example 127.0.0.1:8080).");
        return new DnsEndPoint(text[..colon].Trim('[', ']'), port);
    }
}
