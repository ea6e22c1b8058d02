using System.Net.Sockets;

namespace OcspStapling.Engine.Tls;

/// <summary>
/// The TLS side of a stapling listener: accepts from the listening socket, completes handshakes with the current
/// staple, and hands each authenticated connection to the listener as a Stream.
/// </summary>
internal interface ITlsFront : IAsyncDisposable
{
    /// <summary>What completes the handshakes, for people reading status output.</summary>
    string Description { get; }

    /// <summary>False only for SslStream on a runtime that cannot staple (allowed by AllowNoStapling).</summary>
    bool CanStaple { get; }

    /// <summary>Staple <paramref name="der"/> on following handshakes until <paramref name="expires"/>; null stops stapling.</summary>
    void Staple(byte[]? der, DateTimeOffset expires);

    /// <summary>Starts accepting. <paramref name="serve"/> gets each authenticated connection; the front disposes it afterwards.</summary>
    void Start(TcpListener listening, Func<Stream, Task> serve);
}
