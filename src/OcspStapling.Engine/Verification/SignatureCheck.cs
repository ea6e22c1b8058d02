using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace OcspStapling.Engine.Verification;

/// <summary>
/// Signature checks with the platform's crypto (OpenSSL on Linux), which is many times faster than
/// BouncyCastle's managed code; BouncyCastle is the fallback for algorithms mapped here (e.g. RSASSA-PSS, EdDSA).
/// </summary>
internal static class SignatureCheck
{
    private static readonly Dictionary<string, (HashAlgorithmName Hash, bool IsRsa)> Known = new()
    {
        ["1.2.840.113549.1.1.5"] = (HashAlgorithmName.SHA1, true),
        ["1.2.840.113549.1.1.11"] = (HashAlgorithmName.SHA256, true),
        ["1.2.840.113549.1.1.12"] = (HashAlgorithmName.SHA384, true),
        ["1.2.840.113549.1.1.13"] = (HashAlgorithmName.SHA512, true),
        ["1.2.840.10045.4.1"] = (HashAlgorithmName.SHA1, false),
        ["1.2.840.10045.4.3.2"] = (HashAlgorithmName.SHA256, false),
        ["1.2.840.10045.4.3.3"] = (HashAlgorithmName.SHA384, false),
        ["1.2.840.10045.4.3.4"] = (HashAlgorithmName.SHA512, false),
    };

    /// <summary>Verifies with the platform when it knows the algorithm; null when it does not, so the caller falls back.</summary>
    public static bool? TryVerify(string algorithmOid, byte[] data, byte[] signature, X509Certificate2 signer)
    {
        if (!Known.TryGetValue(algorithmOid, out var alg))
            return null;
        try
        {
            if (alg.IsRsa)
            {
                using var rsa = signer.GetRSAPublicKey();
                return rsa?.VerifyData(data, signature, alg.Hash, RSASignaturePadding.Pkcs1) ?? false;
            }
            using var ecdsa = signer.GetECDsaPublicKey();
            return ecdsa?.VerifyData(data, signature, alg.Hash, DSASignatureFormat.Rfc3279DerSequence) ?? false;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>True when <paramref name="issuer"/>'s key signed <paramref name="cert"/>.</summary>
    /// <remarks>
    /// Both may come from untrusted bytes (a response's embedded signer, an AIA download): a certificate that
    /// BouncyCastle cannot read, whatever it throws, was not verifiably issued.
    /// </remarks>
    public static bool IsIssuedBy(X509Certificate2 cert, X509Certificate2 issuer)
    {
        try
        {
            var bc = BouncyCastleCertificates.From(cert);
            var fast = TryVerify(bc.SigAlgOid, bc.GetTbsCertificate(), bc.GetSignature(), issuer);
            if (fast.HasValue)
                return fast.Value;
            bc.Verify(BouncyCastleCertificates.From(issuer).GetPublicKey());
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }
}

/// <summary>Converts platform certificates to BouncyCastle's type, kept inside the engine.</summary>
internal static class BouncyCastleCertificates
{
    /// <summary>The certificate as BouncyCastle reads it; its shape is checked first, as for responses (see Asn1Limits).</summary>
    public static BcCertificate From(X509Certificate2 cert) =>
        Protocol.Asn1Limits.Check(cert.RawData) is { } refusal
            ? throw new CryptographicException($"The certificate '{cert.Subject}' cannot be read safely: {refusal}.")
            : new Org.BouncyCastle.X509.X509CertificateParser().ReadCertificate(cert.RawData);

    public static X509Certificate2 ToPlatform(BcCertificate cert) => new(cert.GetEncoded());
}
