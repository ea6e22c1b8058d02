using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OcspStapling.Engine.Lab;

/// <summary>What throwaway PKI to build.</summary>
public sealed record LabPkiOptions
{
    /// <summary>Issue leaves from an intermediate under the root, as public CAs do.</summary>
    public bool WithIntermediate { get; init; } = true;

    /// <summary>Also issue a delegated OCSP signer (id-kp-OCSPSigning) under the issuing CA.</summary>
    public bool WithDelegatedSigner { get; init; } = true;

    public string Name { get; init; } = "OcspStapling Lab";
}

/// <summary>
/// A throwaway PKI made in memory: root, optional intermediate, optional delegated OCSP signer, and leaves
/// with an AIA OCSP URL. For the demo, the documentation and tests; never for production.
/// </summary>
public sealed class LabPki : IDisposable
{
    private const string OcspSigningEku = "1.3.6.1.5.5.7.3.9";
    private const string ServerAuthEku = "1.3.6.1.5.5.7.3.1";
    private static readonly byte[] MustStapleExtensionValue = { 0x30, 0x03, 0x02, 0x01, 0x05 };

    // One key for every leaf: OCSP is about serials, and RSA key generation is the slow part of issuing.
    private readonly RSA _leafKey = RSA.Create(2048);
    private long _nextSerial = 0x1000;

    private LabPki(X509Certificate2 root, X509Certificate2? intermediate, X509Certificate2? delegatedSigner)
    {
        Root = root;
        Intermediate = intermediate;
        DelegatedSigner = delegatedSigner;
    }

    public X509Certificate2 Root { get; }

    public X509Certificate2? Intermediate { get; }

    /// <summary>The CA that issues leaves: the intermediate when there is one.</summary>
    public X509Certificate2 Issuer => Intermediate ?? Root;

    /// <summary>A delegated responder certificate (with its key) issued by <see cref="Issuer"/>.</summary>
    public X509Certificate2? DelegatedSigner { get; }

    public static LabPki Create(LabPkiOptions? options = null)
    {
        options ??= new LabPkiOptions();
        var now = DateTimeOffset.UtcNow;
        var root = SelfSignedCa($"CN={options.Name} Root CA", now.AddDays(-1), now.AddYears(10));
        var intermediate = options.WithIntermediate
            ? IssueCa($"CN={options.Name} Issuing CA", root, now.AddDays(-1), now.AddYears(5))
            : null;
        var issuer = intermediate ?? root;
        var signer = options.WithDelegatedSigner
            ? IssueWithFreshKey($"CN={options.Name} OCSP Signer", issuer, new[] { OcspSigningEku }, now.AddDays(-1), now.AddYears(1))
            : null;
        return new LabPki(root, intermediate, signer);
    }

    /// <summary>
    /// A server certificate for <paramref name="dnsName"/> and 127.0.0.1, with its private key; valid from an hour
    /// ago for 90 days unless given (within the issuer's validity, which starts a day ago).
    /// </summary>
    public X509Certificate2 IssueLeaf(string dnsName, IEnumerable<string> ocspUrls, bool mustStaple = false, IEnumerable<string>? caIssuerUrls = null,
        DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        var request = new CertificateRequest($"CN={dnsName}", _leafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid(ServerAuthEku) }, false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(dnsName);
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var ocsp = ocspUrls.ToList();
        var caIssuers = caIssuerUrls?.ToList() ?? new List<string>();
        if (ocsp.Count > 0 || caIssuers.Count > 0)
            request.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension(ocsp, caIssuers));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Issuer, true, false));
        if (mustStaple)
            request.CertificateExtensions.Add(new X509Extension("1.3.6.1.5.5.7.1.24", MustStapleExtensionValue, false));
        var serial = Enumerable.Reverse(BitConverter.GetBytes(Interlocked.Increment(ref _nextSerial))).SkipWhile(b => b == 0).ToArray();
        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(Issuer, notBefore ?? now.AddHours(-1), notAfter ?? now.AddDays(90), serial);
        return issued.CopyWithPrivateKey(_leafKey);
    }

    /// <summary>A certificate with the OCSP signing usage, issued by <paramref name="issuer"/> (which must hold its key).</summary>
    public static X509Certificate2 IssueOcspSigner(string subject, X509Certificate2 issuer, bool withOcspSigningEku = true)
    {
        var now = DateTimeOffset.UtcNow;
        return IssueWithFreshKey(subject, issuer, withOcspSigningEku ? new[] { OcspSigningEku } : new[] { ServerAuthEku }, now.AddDays(-1), now.AddYears(1));
    }

    /// <summary>A self-signed CA unrelated to this PKI, for staging wrong-signer faults.</summary>
    public static X509Certificate2 CreateStranger(string subject)
    {
        var now = DateTimeOffset.UtcNow;
        return SelfSignedCa(subject, now.AddDays(-1), now.AddYears(1));
    }

    /// <summary>The leaf's private key as PKCS#8 PEM (for nginx, HAProxy and s_server configuration).</summary>
    public string LeafKeyPem() => _leafKey.ExportPkcs8PrivateKeyPem();

    public static string KeyPem(X509Certificate2 certificate) =>
        (certificate.GetRSAPrivateKey() ?? throw new InvalidOperationException($"'{certificate.Subject}' has no private key")).ExportPkcs8PrivateKeyPem();

    private static X509Certificate2 SelfSignedCa(string subject, DateTimeOffset from, DateTimeOffset to)
    {
        using var key = RSA.Create(2048);
        var request = CaRequest(subject, key);
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(from, to);
    }

    private static X509Certificate2 IssueCa(string subject, X509Certificate2 parent, DateTimeOffset from, DateTimeOffset to)
    {
        using var key = RSA.Create(2048);
        var request = CaRequest(subject, key);
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(parent, true, false));
        using var cert = request.Create(parent, from, to, RandomSerial());
        return cert.CopyWithPrivateKey(key);
    }

    private static X509Certificate2 IssueWithFreshKey(string subject, X509Certificate2 issuer, string[] ekus, DateTimeOffset from, DateTimeOffset to)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var usages = new OidCollection();
        foreach (var eku in ekus)
            usages.Add(new Oid(eku));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        using var cert = request.Create(issuer, from, to, RandomSerial());
        return cert.CopyWithPrivateKey(key);
    }

    private static CertificateRequest CaRequest(string subject, RSA key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        return request;
    }

    private static byte[] RandomSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7f; // positive
        serial[0] |= 0x01; // no leading zero
        return serial;
    }

    public void Dispose() => _leafKey.Dispose();
}
