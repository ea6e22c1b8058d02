using System.Security.Cryptography;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Tls.OpenSsl;

namespace OcspStapling.Engine.Tls;

/// <summary>Picks and builds the listener's TLS front.</summary>
internal static class TlsFronts
{
    public static ITlsFront Create(ListenerOptions options, HandshakeCounters counters, IOperationLog log)
    {
        if (options.Tls != ListenerTls.SslStream)
        {
            if (OpenSslServerContext.Unsupported is { } why)
            {
                if (options.Tls == ListenerTls.OpenSsl)
                    throw new StaplingException(FailureReason.InvalidArgument, "OpenSSL", $"The OpenSSL TLS front cannot run here: {why}. Use the SslStream front (--tls sslstream, -Tls SslStream).");
                log.Verbose($"Using SslStream for TLS: {why}.");
            }
            else
            {
                try
                {
                    return new OpenSslFront(options, counters);
                }
                catch (Exception e) when (e is InvalidOperationException or CryptographicException)
                {
                    if (options.Tls == ListenerTls.OpenSsl)
                        throw new StaplingException(FailureReason.InvalidArgument, options.Certificate.Subject, $"{e.Message} Use the SslStream front (--tls sslstream, -Tls SslStream).", e);
                    log.Verbose($"Using SslStream for TLS: {e.Message}");
                }
            }
        }
        var front = new SslStreamFront(options, counters);
        if (!front.CanStaple && options.AllowNoStapling)
            log.Warning($"Serving WITHOUT stapling (-AllowNoStapling): {SslStreamStapling.Unsupported}");
        return front;
    }
}
