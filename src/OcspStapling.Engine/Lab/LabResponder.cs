using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Ocsp;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Ocsp;
using Org.BouncyCastle.Security;
using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Transport;
using OcspStapling.Engine.Verification;
using CertStatus = OcspStapling.Engine.Protocol.CertStatus;

namespace OcspStapling.Engine.Lab;

/// <summary>
/// An in-process OCSP responder on 127.0.0.1 for a <see cref="LabPki"/>'s issuing CA. Answers GET and POST,
/// echoes nonces, and stages on request every fault in <see cref="LabFault"/>. Also serves the issuer at /issuer.cer.
/// </summary>
public sealed class LabResponder : IAsyncDisposable
{
    private readonly LabPki _pki;
    private readonly LoopbackHttpServer _server;
    private readonly ConcurrentDictionary<string, (CertStatus Status, DateTime? RevokedAt)> _statuses = new();
    private readonly Lazy<X509Certificate2> _stranger = new(() => LabPki.CreateStranger("CN=Not Your CA"));
    private readonly Lazy<X509Certificate2> _unauthorizedDelegate;
    private readonly ConcurrentDictionary<string, Org.BouncyCastle.Crypto.AsymmetricKeyParameter> _keys = new();
    private int _requests;
    private int _inFlight;
    private int _maxInFlight;
    private int _rateLimited;
    private int _tryLaterLeft;
    private readonly Queue<DateTime> _window = new();
    private int _proxied;

    /// <param name="https">Serve https://, with a certificate for 127.0.0.1 from the lab's own CA.</param>
    public LabResponder(LabPki pki, int port = 0, bool https = false)
    {
        _pki = pki;
        _unauthorizedDelegate = new(() => LabPki.IssueOcspSigner("CN=Lab Web Server (not an OCSP signer)", pki.Issuer, withOcspSigningEku: false));
        _server = new LoopbackHttpServer(Handle, port, https ? pki.IssueLeaf("127.0.0.1", Array.Empty<string>()) : null);
    }

    /// <summary>The URL to put in certificates' AIA extension.</summary>
    public Uri Url => _server.BaseUrl;

    /// <summary>Where the issuing CA's certificate is served (DER), for AIA caIssuers.</summary>
    public Uri IssuerUrl => new(_server.BaseUrl, "issuer.cer");

    public LabFault Fault { get; set; }

    /// <summary>Sign with the delegated signer rather than the issuing CA itself.</summary>
    public bool UseDelegatedSigner { get; set; }

    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long answers are valid (thisUpdate to nextUpdate).</summary>
    public TimeSpan Validity { get; set; } = TimeSpan.FromDays(4);

    /// <summary>
    /// At most this many OCSP requests a second; beyond it the answer is HTTP 429 with Retry-After: 1, as a CA's
    /// rate limit answers (null: no limit).
    /// </summary>
    public int? RateLimitPerSecond { get; set; }

    /// <summary>The Retry-After the rate limit sends, in seconds.</summary>
    public int RateLimitRetryAfterSeconds { get; set; } = 1;

    /// <summary>The next this-many OCSP requests are answered tryLater, then answers are normal again.</summary>
    public int TryLaterFirst
    {
        get => Math.Max(0, Volatile.Read(ref _tryLaterLeft));
        set => Volatile.Write(ref _tryLaterLeft, value);
    }

    /// <summary>How long each OCSP answer takes (to see how many requests a client keeps in flight).</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>The most OCSP requests that were being answered at once.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>Requests refused with HTTP 429 by <see cref="RateLimitPerSecond"/>.</summary>
    public int RateLimitedCount => Volatile.Read(ref _rateLimited);

    /// <summary>OCSP requests received so far (issuer downloads not counted).</summary>
    public int RequestCount => Volatile.Read(ref _requests);

    public void SetStatus(X509Certificate2 certificate, CertStatus status, DateTime? revokedAt = null) =>
        _statuses[SerialOf(certificate)] = (status, revokedAt ?? (status == CertStatus.Revoked ? DateTime.UtcNow.AddDays(-1) : null));

    /// <summary>Certificates this responder answers "good" for; others get "unknown".</summary>
    public void Add(X509Certificate2 certificate) => SetStatus(certificate, CertStatus.Good);

    /// <summary>Requests that came through an HTTP proxy (absolute-form request target).</summary>
    public int ProxiedRequestCount => Volatile.Read(ref _proxied);

    /// <summary>The Host header of the latest request.</summary>
    public string? LastHost { get; private set; }

    private LabHttpResponse Handle(LabHttpRequest request)
    {
        LastHost = request.Headers.TryGetValue("Host", out var host) ? host : null;
        if (request.Path.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && Uri.TryCreate(request.Path, UriKind.Absolute, out var absolute))
        {
            Interlocked.Increment(ref _proxied);
            request = request with { Path = absolute.PathAndQuery };
        }
        if (request.Method == "GET" && request.Path == "/issuer.cer")
            return new LabHttpResponse(200, "application/pkix-cert", _pki.Issuer.RawData);
        Interlocked.Increment(ref _requests);
        if (IsOverRateLimit())
        {
            Interlocked.Increment(ref _rateLimited);
            return new LabHttpResponse(429, "text/plain", Encoding.UTF8.GetBytes("rate limited"), RetryAfter: RateLimitRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        if (Interlocked.Decrement(ref _tryLaterLeft) >= 0)
        {
            return Ocsp(new OCSPRespGenerator().Generate(OCSPRespGenerator.TryLater, null).GetEncoded());
        }
        // Counted from here until the server has written the answer (after any delay): what the client has in flight.
        var inFlight = Interlocked.Increment(ref _inFlight);
        for (var max = MaxInFlight; inFlight > max && Interlocked.CompareExchange(ref _maxInFlight, inFlight, max) != max; max = MaxInFlight)
        {
        }
        var response = Respond(request);
        return response with { Delay = response.Delay + Latency, Done = () => Interlocked.Decrement(ref _inFlight) };
    }

    private bool IsOverRateLimit()
    {
        if (RateLimitPerSecond is not { } limit)
            return false;
        lock (_window)
        {
            var now = DateTime.UtcNow;
            while (_window.Count > 0 && now - _window.Peek() >= TimeSpan.FromSeconds(1))
                _window.Dequeue();
            if (_window.Count >= limit)
                return true;
            _window.Enqueue(now);
            return false;
        }
    }

    private LabHttpResponse Respond(LabHttpRequest request)
    {
        switch (Fault)
        {
            case LabFault.Garbage:
                return Ocsp(RandomNumberGenerator.GetBytes(300));
            case LabFault.Html:
                return new LabHttpResponse(200, "text/html", Encoding.UTF8.GetBytes("<html><body><h1>Service temporarily unavailable</h1></body></html>"));
            case LabFault.Http500:
                return new LabHttpResponse(500, "text/plain", Encoding.UTF8.GetBytes("internal error"));
            case LabFault.Oversized:
                return Ocsp(new byte[256 * 1024]);
            case LabFault.TryLater:
                return Ocsp(new OCSPRespGenerator().Generate(OCSPRespGenerator.TryLater, null).GetEncoded());
            case LabFault.RedirectToFile:
                return new LabHttpResponse(302, "text/plain", Array.Empty<byte>(), Location: "file:///etc/hostname");
            case LabFault.GetFails when request.Method == "GET":
                return new LabHttpResponse(400, "text/plain", Encoding.UTF8.GetBytes("bad request"));
        }
        var der = DecodeRequestBody(request);
        if (der == null)
            return Ocsp(new OCSPRespGenerator().Generate(OCSPRespGenerator.MalformedRequest, null).GetEncoded());
        var response = Answer(new OcspReq(der));
        return Ocsp(response) with { Delay = Fault == LabFault.Slow ? SlowDelay : TimeSpan.Zero };
    }

    private static byte[]? DecodeRequestBody(LabHttpRequest request)
    {
        try
        {
            return request.Method == "POST"
                ? request.Body
                : Convert.FromBase64String(Uri.UnescapeDataString(request.Path.TrimStart('/')));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private byte[] Answer(OcspReq request)
    {
        var (signerCert, signerKey, chain) = Signer();
        var now = DateTime.UtcNow;
        var (thisUpdate, nextUpdate) = Fault switch
        {
            LabFault.Stale => (now.AddDays(-2), (DateTime?)now.AddDays(-1)),
            LabFault.FutureDated => (now.AddDays(1), now.AddDays(5)),
            LabFault.NoNextUpdateOld => (now.AddDays(-2), null),
            LabFault.JustExpired => (now.AddHours(-1), now.AddSeconds(-55)),
            _ => (now.AddMinutes(-1), now.Add(Validity)),
        };
        var singles = new Asn1EncodableVector();
        foreach (var single in request.GetRequestList())
        {
            var id = single.GetCertID();
            if (Fault == LabFault.WrongCertificate)
                id = CertificateID.DeriveCertificateID(id, id.SerialNumber.Add(Org.BouncyCastle.Math.BigInteger.One));
            singles.Add(new Org.BouncyCastle.Asn1.Ocsp.SingleResponse(id.ToAsn1Object(), StatusFor(id),
                WholeSeconds(thisUpdate), nextUpdate is { } next ? WholeSeconds(next) : null,
                Fault == LabFault.CriticalSingleExtension ? UnknownCriticalExtension() : null));
        }
        var extensions = new X509ExtensionsGenerator();
        var nonce = request.RequestExtensions?.GetExtension(OcspObjectIdentifiers.PkixOcspNonce);
        if (nonce != null && Fault != LabFault.DropNonce)
            extensions.AddExtension(OcspObjectIdentifiers.PkixOcspNonce, false, nonce.Value.GetOctets());
        if (Fault == LabFault.CriticalExtension)
            extensions.AddExtension(UnknownExtensionOid, true, DerNull.Instance);
        var responseExtensions = extensions.IsEmpty ? null : extensions.Generate();
        // Built from ASN.1 rather than BasicOcspRespGenerator, which cannot omit nextUpdate with a chosen thisUpdate.
        var data = new ResponseData(new RespID(signerCert.SubjectDN).ToAsn1Object(),
            WholeSeconds(Fault == LabFault.FutureDated ? thisUpdate : now), new DerSequence(singles), responseExtensions);
        var signer = SignerUtilities.GetSigner("SHA256WITHRSA");
        signer.Init(true, signerKey);
        var tbs = data.GetDerEncoded();
        signer.BlockUpdate(tbs, 0, tbs.Length);
        var certs = chain.Length > 0 ? new DerSequence(chain.Select(c => (Asn1Encodable)c.CertificateStructure).ToArray()) : null;
        var basic = new BasicOcspResponse(data, new AlgorithmIdentifier(Org.BouncyCastle.Asn1.Pkcs.PkcsObjectIdentifiers.Sha256WithRsaEncryption, DerNull.Instance),
            new DerBitString(signer.GenerateSignature()), certs);
        return new OCSPRespGenerator().Generate(OCSPRespGenerator.Successful, new BasicOcspResp(basic)).GetEncoded();
    }

    // BouncyCastle 2.x writes a DateTime's fraction of a second (to 100 ns) into a GeneralizedTime; responders such
    // as OpenSSL and cfssl write whole seconds, and so does the lab (as BouncyCastle 1.8 did).
    private static DerGeneralizedTime WholeSeconds(DateTime time) => new(time.AddTicks(-(time.Ticks % TimeSpan.TicksPerSecond)));

    // An OID under the documentation arc (RFC 5612 example enterprise 32473): no reader understands it.
    private static readonly DerObjectIdentifier UnknownExtensionOid = new("1.3.6.1.4.1.32473.1.1");

    private static X509Extensions UnknownCriticalExtension()
    {
        var generator = new X509ExtensionsGenerator();
        generator.AddExtension(UnknownExtensionOid, true, DerNull.Instance);
        return generator.Generate();
    }

    private Org.BouncyCastle.Asn1.Ocsp.CertStatus StatusFor(CertificateID id)
    {
        var ours = CertId.For(_pki.Issuer, _pki.Issuer, id.HashAlgOid);
        var sameIssuer = ours != null && ours.IssuerNameHash.AsSpan().SequenceEqual(id.GetIssuerNameHash()) && ours.IssuerKeyHash.AsSpan().SequenceEqual(id.GetIssuerKeyHash());
        if (!sameIssuer || !_statuses.TryGetValue(CertId.NormalizeSerial(id.SerialNumber.ToString(16)), out var entry))
            return new Org.BouncyCastle.Asn1.Ocsp.CertStatus(2, DerNull.Instance);
        return entry.Status switch
        {
            CertStatus.Good => new Org.BouncyCastle.Asn1.Ocsp.CertStatus(),
            CertStatus.Revoked => new Org.BouncyCastle.Asn1.Ocsp.CertStatus(new RevokedInfo(WholeSeconds(entry.RevokedAt!.Value),
                new CrlReason((int)RevocationReason.KeyCompromise))),
            _ => new Org.BouncyCastle.Asn1.Ocsp.CertStatus(2, DerNull.Instance),
        };
    }

    // Which certificate the response names, which key signs it, and which certificates ride along.
    private (Org.BouncyCastle.X509.X509Certificate Named, Org.BouncyCastle.Crypto.AsymmetricKeyParameter Key, Org.BouncyCastle.X509.X509Certificate[] Chain) Signer()
    {
        var issuer = BouncyCastleCertificates.From(_pki.Issuer);
        switch (Fault)
        {
            case LabFault.WrongSigner:
                return (issuer, PrivateKey(_stranger.Value), Array.Empty<Org.BouncyCastle.X509.X509Certificate>());
            case LabFault.UnauthorizedDelegate:
                var imposter = BouncyCastleCertificates.From(_unauthorizedDelegate.Value);
                return (imposter, PrivateKey(_unauthorizedDelegate.Value), new[] { imposter });
        }
        if (UseDelegatedSigner && _pki.DelegatedSigner is { } delegated)
        {
            var bc = BouncyCastleCertificates.From(delegated);
            return (bc, PrivateKey(delegated), new[] { bc });
        }
        return (issuer, PrivateKey(_pki.Issuer), Array.Empty<Org.BouncyCastle.X509.X509Certificate>());
    }

    private Org.BouncyCastle.Crypto.AsymmetricKeyParameter PrivateKey(X509Certificate2 certificate) =>
        _keys.GetOrAdd(certificate.Thumbprint, _ =>
        {
            using var rsa = certificate.GetRSAPrivateKey() ?? throw new InvalidOperationException($"No private key for {certificate.Subject}");
            return DotNetUtilities.GetRsaKeyPair(rsa.ExportParameters(true)).Private;
        });

    private static LabHttpResponse Ocsp(byte[] body) => new(200, OcspExchange.ResponseContentType, body);

    private static string SerialOf(X509Certificate2 certificate) => CertId.NormalizeSerial(Convert.ToHexString(certificate.SerialNumberBytes.Span));

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
