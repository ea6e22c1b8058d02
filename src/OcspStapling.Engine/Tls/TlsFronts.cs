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
                var front = new OpenSslFront(options, counters);
                try
                {
                    // The default certificate's key must be one OpenSSL takes; Auto falls back to SslStream when not.
                    front.CreateContext(options.Certificates[0]).Dispose();
                    return front;
                }
                catch (Exception e) when (e is InvalidOperationException or CryptographicException)
                {
                    front.DisposeAsync().AsTask().GetAwaiter().GetResult();
                    if (options.Tls == ListenerTls.OpenSsl)
                        throw new StaplingException(FailureReason.InvalidArgument, "OpenSSL", $"{e.Message} Use the SslStream front (--tls sslstream, -Tls SslStream).", e);
                    log.Verbose($"Using SslStream for TLS: {e.Message}");
                }
            }
        }
        var sslStream = new SslStreamFront(options, counters);
        if (!sslStream.CanStaple && options.AllowNoStapling)
            log.Warning($"Serving WITHOUT stapling (-AllowNoStapling): {SslStreamStapling.Unsupported}");
        return sslStream;
    }
}
