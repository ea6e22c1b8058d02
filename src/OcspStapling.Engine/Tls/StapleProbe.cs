using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Policy;
using OcspStapling.Engine.Protocol;

namespace OcspStapling.Engine.Tls;

/// <summary>What a live server staples, judged by the engine's rules.</summary>
public sealed class ProbeResult
{
    internal ProbeResult(string host, int port, string? serverName, IReadOnlyList<X509Certificate2> chain, OcspResult? staple, string? stapleProblem)
    {
        Host = host;
        Port = port;
        ServerName = serverName;
        Chain = chain;
        Staple = staple;
        StapleProblem = stapleProblem;
    }

    public string Host { get; }

    public int Port { get; }

    public string? ServerName { get; }

    /// <summary>The certificates the server sent, leaf first.</summary>
    public IReadOnlyList<X509Certificate2> Chain { get; }

    public X509Certificate2 Certificate => Chain[0];

    public string Subject => Certificate.Subject;

    public bool Stapled => Staple != null || StapleProblem != null;

    /// <summary>The stapled response and the verdict on it; null when nothing (readable) was stapled.</summary>
    public OcspResult? Staple { get; }

    /// <summary>Why a stapled response could not be judged (not an OCSP response; issuer not found).</summary>
    public string? StapleProblem { get; }

    public bool MustStaple => CertificateFacts.IsMustStaple(Certificate);

    public CertStatus? CertStatus => Staple?.CertStatus;

    public DateTimeOffset? NextUpdate => Staple?.NextUpdate;

    public TimeSpan? TimeLeft => Staple?.TimeLeft;

    /// <summary>The policy's verdict on what the server stapled (<see cref="StaplePolicy.CheckStaple"/>).</summary>
    public StapleCheck Verdict => StaplePolicy.CheckStaple(Stapled, Staple?.IsFitToStaple == true, CertificateFacts.OcspUrls(Certificate).Count > 0, MustStaple);

    /// <summary>Stapled, verified and good.</summary>
    public bool Passed => Staple is { Verified: true, CertStatus: Protocol.CertStatus.Good };

    public override string ToString() =>
        $"{Host}:{Port}: {(Passed ? "stapled, good, verified" : !Stapled ? "NOT stapled" : StapleProblem ?? Staple!.ToString())}";
}

/// <summary>
/// Connects to a TLS server, sends a TLS 1.2 ClientHello with status_request and SNI, reads its Certificate and
/// CertificateStatus, hangs up before any keys are agreed, and verifies the staple against the served chain.
/// </summary>
public static class StapleProbe
{
    public static async Task<ProbeResult> ProbeAsync(string host, int port, string? serverName, FetchOptions options, TimeSpan timeout, CancellationToken cancel = default)
    {
        var target = $"{host}:{port}";
        serverName ??= host;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(timeout);
        ServerHandshake handshake;
        try
        {
            using var client = new TcpClient { NoDelay = true };
            await client.ConnectAsync(host, port, deadline.Token).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync(ClientHello.Build(serverName), deadline.Token).ConfigureAwait(false);
            handshake = await ServerHandshakeReader.ReadAsync(stream, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            throw new StaplingException(FailureReason.ServerUnreachable, target, $"{target} did not complete the TLS exchange within {timeout.TotalSeconds:0.#} s: is it a TLS service, and reachable?");
        }
        catch (SocketException e)
        {
            throw new StaplingException(FailureReason.ServerUnreachable, target, $"Cannot connect to {target}: {e.Message}.", e);
        }
        catch (IOException e)
        {
            throw new StaplingException(FailureReason.HandshakeFailed, target, $"{target} broke off the TLS exchange: {e.Message}.", e);
        }
        catch (HandshakeException e)
        {
            throw new StaplingException(FailureReason.HandshakeFailed, target, $"{target}: {e.Message}.", e);
        }

        List<X509Certificate2> chain;
        try
        {
            chain = handshake.Chain.Select(der => new X509Certificate2(der)).ToList();
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new StaplingException(FailureReason.HandshakeFailed, target, $"{target} sent a certificate that cannot be parsed: {e.Message}.", e);
        }
        if (handshake.StapledResponse is not { } der)
            return new ProbeResult(host, port, serverName, chain, null, null);

        var source = $"stapled by {target}";
        try
        {
            var response = OcspResponseDecoder.Decode(der);
            var bundle = new CertificateBundle(chain[0], chain.Skip(1).ToList(), null);
            var staple = await StapleFileCheck.JudgeAsync(response, source, bundle, options, cancel).ConfigureAwait(false);
            return new ProbeResult(host, port, serverName, chain, staple, null);
        }
        catch (OcspFormatException e)
        {
            return new ProbeResult(host, port, serverName, chain, null, $"the stapled data is not an OCSP response: {e.Message}");
        }
        catch (StaplingException e) when (e.Reason == FailureReason.IssuerNotFound)
        {
            return new ProbeResult(host, port, serverName, chain, null, $"the staple cannot be verified: {e.Message}");
        }
    }
}
