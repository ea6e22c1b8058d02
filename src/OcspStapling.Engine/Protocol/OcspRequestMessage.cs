using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Ocsp;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Ocsp;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace OcspStapling.Engine.Protocol;

/// <summary>An encoded OCSP request for one certificate, with the nonce it carries (if any).</summary>
public sealed class OcspRequestMessage
{
    private const int NonceBytes = 16;

    private OcspRequestMessage(CertId certId, byte[]? nonce, byte[] der)
    {
        CertId = certId;
        Nonce = nonce;
        Der = der;
    }

    public CertId CertId { get; }

    /// <summary>The nonce value sent; null when none was (the default: many responders serve pre-signed answers).</summary>
    public byte[]? Nonce { get; }

    public byte[] Der { get; }

    public static OcspRequestMessage Create(CertId certId, bool withNonce)
    {
        var generator = new OcspReqGenerator();
        generator.AddRequest(new CertificateID(ToAsn1(certId)));
        byte[]? nonce = null;
        if (withNonce)
        {
            nonce = RandomNumberGenerator.GetBytes(NonceBytes);
            var extensions = new X509ExtensionsGenerator();
            extensions.AddExtension(OcspObjectIdentifiers.PkixOcspNonce, false, new DerOctetString(nonce));
            generator.SetRequestExtensions(extensions.Generate());
        }
        return new OcspRequestMessage(certId, nonce, generator.Generate().GetEncoded());
    }

    internal static CertID ToAsn1(CertId id) => new(
        new AlgorithmIdentifier(new DerObjectIdentifier(id.HashAlgorithmOid), DerNull.Instance),
        new DerOctetString(id.IssuerNameHash),
        new DerOctetString(id.IssuerKeyHash),
        new DerInteger(new BcBigInteger(id.SerialNumber, 16)));

    internal static CertId FromAsn1(CertificateID id) => new(
        id.HashAlgOid, id.GetIssuerNameHash(), id.GetIssuerKeyHash(), CertId.NormalizeSerial(id.SerialNumber.ToString(16)));
}
