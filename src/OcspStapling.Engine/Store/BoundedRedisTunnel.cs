using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using StackExchange.Redis;
using StackExchange.Redis.Configuration;

namespace OcspStapling.Engine.Store;

/// <summary>
/// Puts <see cref="RedisReplyBounds"/> between the Redis server and the client: every byte the server sends is
/// checked before the client reads it, and a reply over the bounds ends the connection with the reason. For
/// rediss:// the TLS session is made here, below the check (the client's own TLS would sit above it, hiding the
/// replies); the server's certificate must then be valid for the host, or lead to the URL's ca= file.
/// </summary>
internal sealed class BoundedRedisTunnel : Tunnel
{
    private readonly RedisLocation _where;
    private readonly X509Certificate2? _ca;
    private string? _lastRefusal;

    public BoundedRedisTunnel(RedisLocation where)
    {
        _where = where;
        _ca = where.CaFile != null ? LoadCa(where) : null;
    }

    /// <summary>Why the last connection was ended for a reply over the bounds, or null.</summary>
    public string? LastRefusal => Volatile.Read(ref _lastRefusal);

    public override async ValueTask<Stream?> BeforeAuthenticateAsync(EndPoint endpoint, ConnectionType connectionType, Socket? socket, CancellationToken cancellationToken)
    {
        Stream stream = new NetworkStream(socket ?? throw new InvalidOperationException("no socket to the Redis server"), ownsSocket: false);
        if (_where.Tls)
        {
            var tls = new SslStream(stream, leaveInnerStreamOpen: false);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = _where.Host,
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Trusted(certificate, errors),
            }, cancellationToken).ConfigureAwait(false);
            stream = tls;
        }
        return new BoundedReplyStream(stream, reason => Volatile.Write(ref _lastRefusal, reason));
    }

    private static X509Certificate2 LoadCa(RedisLocation where)
    {
        try
        {
            return new X509Certificate2(where.CaFile!);
        }
        catch (CryptographicException)
        {
            throw new StaplingException(FailureReason.InvalidArgument, where.Display, $"The CA file '{where.CaFile}' for the Redis store {where.Display} holds no certificate.");
        }
    }

    // Without ca= the platform's roots decide; with it, the chain must end at that CA (a private PKI's root).
    private bool Trusted(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
            return true;
        if (_ca == null || certificate == null || errors != SslPolicyErrors.RemoteCertificateChainErrors)
            return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate as X509Certificate2 ?? new X509Certificate2(certificate));
    }
}
