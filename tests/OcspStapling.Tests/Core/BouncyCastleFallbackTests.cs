using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine.Lab;
using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Verification;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Core;

/// <summary>
/// Signatures the platform check does not map (RSASSA-PSS, ecdsa-with-SHA224) are verified by BouncyCastle: the
/// verifier's only BouncyCastle path, and so the one that changes with its version. OpenSSL signs the responses.
/// </summary>
public sealed class BouncyCastleFallbackTests : IClassFixture<LabResponderFixture>
{
    private const string OcspSigningEku = "1.3.6.1.5.5.7.3.9";

    private readonly LabResponderFixture _lab;

    public BouncyCastleFallbackTests(LabResponderFixture lab) => _lab = lab;

    [PeerFact("openssl")]
    public async Task A_response_the_issuer_signed_with_rsassa_pss_verifies_and_one_with_a_damaged_signature_does_not()
    {
        // BouncyCastle 1.8 checked a PSS response with SHA-1 whatever its parameters said, and refused this one.
        using var dir = new TempDirectory();
        var leaf = _lab.Pki.IssueLeaf("pss.example.test", Array.Empty<string>());
        var issuer = _lab.Pki.Issuer;
        var der = await SignWithOpenSslAsync(dir, leaf, issuer, LabPki.KeyPem(issuer),
            "-rmd", "sha256", "-rsigopt", "rsa_padding_mode:pss", "-rsigopt", "rsa_pss_saltlen:digest", "-resp_no_certs");

        var response = OcspResponseDecoder.Decode(der);
        Assert.Equal("1.2.840.113549.1.1.10", response.Signed!.SignatureAlgorithmOid);
        Assert.True(Verify(der, leaf).IsGood, Verify(der, leaf).ToString());

        der[^1] ^= 1; // the signature is the last field when no certificates ride along
        Assert.Contains(Verify(der, leaf).Findings, f => f.Code == FindingCode.SignatureInvalid);
    }

    [PeerFact("openssl")]
    public async Task A_delegated_ecdsa_sha224_signer_whose_certificate_the_issuer_signed_with_rsassa_pss_is_authorised()
    {
        using var dir = new TempDirectory();
        var leaf = _lab.Pki.IssueLeaf("pss-delegate.example.test", Array.Empty<string>());
        using var signerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var signer = IssueWithPss("CN=PSS-issued OCSP signer", signerKey, _lab.Pki.Issuer);
        var der = await SignWithOpenSslAsync(dir, leaf, signer, signerKey.ExportPkcs8PrivateKeyPem(), "-rmd", "sha224");

        var response = OcspResponseDecoder.Decode(der);
        Assert.Equal("1.2.840.10045.4.3.1", response.Signed!.SignatureAlgorithmOid);
        var verdict = Verify(der, leaf);
        Assert.True(verdict.IsGood, verdict.ToString());
    }

    private VerificationResult Verify(byte[] der, X509Certificate2 leaf) =>
        OcspVerifier.Verify(OcspResponseDecoder.Decode(der), leaf, _lab.Pki.Issuer, null, VerificationOptions.Default, DateTimeOffset.UtcNow);

    // .NET signs PSS with a salt as long as the hash, the length BouncyCastle verifies certificates with.
    private static X509Certificate2 IssueWithPss(string subject, ECDsa key, X509Certificate2 issuer)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid(OcspSigningEku) }, false));
        using var issuerKey = issuer.GetRSAPrivateKey()!;
        var now = DateTimeOffset.UtcNow;
        return request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForRSA(issuerKey, RSASignaturePadding.Pss),
            now.AddDays(-1), now.AddDays(30), new byte[] { 0x5e, 0x01 });
    }

    /// <summary>`openssl ocsp` as a one-shot responder: answers a request file for <paramref name="leaf"/>, "good".</summary>
    private async Task<byte[]> SignWithOpenSslAsync(TempDirectory dir, X509Certificate2 leaf, X509Certificate2 signer, string signerKeyPem, params string[] signing)
    {
        File.WriteAllText(dir.File("index.txt"), OpenSslResponder.IndexLine(leaf, CertStatus.Good) + "\n");
        File.WriteAllBytes(dir.File("request.der"), OcspRequestMessage.Create(CertId.For(leaf, _lab.Pki.Issuer), withNonce: false).Der);
        LabFiles.WritePem(dir.File("signer.pem"), signer);
        File.WriteAllText(dir.File("signer.key"), signerKeyPem);
        LabFiles.WritePem(dir.File("ca.pem"), _lab.Pki.Issuer);
        var run = await ProcessRunner.RunAsync("openssl", new[]
        {
            "ocsp", "-index", dir.File("index.txt"), "-CA", dir.File("ca.pem"), "-rsigner", dir.File("signer.pem"),
            "-rkey", dir.File("signer.key"), "-reqin", dir.File("request.der"), "-respout", dir.File("response.der"), "-nmin", "60",
        }.Concat(signing));
        Assert.True(run.ExitCode == 0 && File.Exists(dir.File("response.der")), run.All);
        return File.ReadAllBytes(dir.File("response.der"));
    }
}
