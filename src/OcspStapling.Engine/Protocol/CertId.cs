using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OcspStapling.Engine.Protocol;

/// <summary>An OCSP CertID (RFC 6960 4.1.1): which certificate, of which issuer, a request or answer is about.</summary>
public sealed class CertId
{
    internal CertId(string hashAlgorithmOid, byte[] issuerNameHash, byte[] issuerKeyHash, string serialNumber)
    {
        HashAlgorithmOid = hashAlgorithmOid;
        IssuerNameHash = issuerNameHash;
        IssuerKeyHash = issuerKeyHash;
        SerialNumber = serialNumber;
    }

    public string HashAlgorithmOid { get; }

    public string HashAlgorithm => HashOids.Name(HashAlgorithmOid);

    internal byte[] IssuerNameHash { get; }

    internal byte[] IssuerKeyHash { get; }

    /// <summary>Upper-case hex without leading zeros, as OpenSSL's index.txt and Windows show it.</summary>
    public string SerialNumber { get; }

    public static CertId For(X509Certificate2 certificate, X509Certificate2 issuer, CertIdHash hash = CertIdHash.Sha1) =>
        For(certificate, issuer, HashOids.Of(hash))
        ?? throw new InvalidOperationException("SHA-1 and SHA-256 are always available.");

    /// <summary>The CertID computed with the given hash, or null when that hash is not one we compute.</summary>
    public static CertId? For(X509Certificate2 certificate, X509Certificate2 issuer, string hashOid)
    {
        if (HashOids.Algorithm(hashOid) is not { } algorithm)
            return null;
        var nameHash = Hash(algorithm, issuer.SubjectName.RawData);
        // The key hash covers the subjectPublicKey BIT STRING's value, which is what EncodedKeyValue holds.
        var keyHash = Hash(algorithm, issuer.PublicKey.EncodedKeyValue.RawData);
        return new CertId(hashOid, nameHash, keyHash, NormalizeSerial(Convert.ToHexString(certificate.SerialNumberBytes.Span)));
    }

    public bool Matches(CertId other) =>
        HashAlgorithmOid == other.HashAlgorithmOid
        && SerialNumber == other.SerialNumber
        && IssuerNameHash.AsSpan().SequenceEqual(other.IssuerNameHash)
        && IssuerKeyHash.AsSpan().SequenceEqual(other.IssuerKeyHash);

    public override string ToString() => $"serial {SerialNumber} ({HashAlgorithm})";

    internal static string NormalizeSerial(string hex)
    {
        var trimmed = hex.TrimStart('0').ToUpperInvariant();
        return trimmed.Length == 0 ? "0" : trimmed;
    }

    private static byte[] Hash(HashAlgorithmName algorithm, byte[] data) => algorithm.Name switch
    {
        "SHA1" => SHA1.HashData(data),
        "SHA256" => SHA256.HashData(data),
        "SHA384" => SHA384.HashData(data),
        _ => SHA512.HashData(data),
    };
}
