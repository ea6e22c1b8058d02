using System.Net.Security;
using OcspStapling.Engine.Tls.OpenSsl;

namespace OcspStapling.Engine.Tls;

/// <summary>Ends the sending half of a TLS connection from either front (close_notify); reading goes on.</summary>
internal static class TlsClose
{
    public static Task SendCloseNotifyAsync(Stream tls) => tls switch
    {
        SslStream ssl => ssl.ShutdownAsync(),
        OpenSslStream openSsl => openSsl.ShutdownAsync(),
        _ => throw new ArgumentException($"not a TLS stream: {tls.GetType().Name}", nameof(tls)),
    };
}
