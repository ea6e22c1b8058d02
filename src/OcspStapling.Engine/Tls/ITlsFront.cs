using System.Net.Sockets;

namespace OcspStapling.Engine.Tls;

/// <summary>
/// The TLS side of a stapling listener: accepts from the listening socket, picks the certificate a client names
/// (SNI), completes handshakes with that certificate's staple, and hands each authenticated connection to the
/// listener as a Stream.
/// </summary>
internal interface ITlsFront : IAsyncDisposable
{
    /// <summary>What completes the handshakes, for people reading status output.</summary>
    string Description { get; }

    /// <summary>False only for SslStream on a runtime that cannot staple (allowed by AllowNoStapling).</summary>
    bool CanStaple { get; }

    /// <summary>Prepares a certificate for serving; it is served once it is in a table given to <see cref="Serve"/>.</summary>
    IServedContext CreateContext(ServedCertificate certificate);

    /// <summary>
    /// Serves these certificates from the next handshake on (the table's default for clients naming none or an
    /// unknown name). Handshakes already under way finish with what they picked.
    /// </summary>
    void Serve(ServerNameTable<IServedContext> table);

    /// <summary>Starts accepting. <paramref name="serve"/> gets each authenticated connection; the front disposes it afterwards.</summary>
    void Start(TcpListener listening, Func<Stream, Task> serve);
}
