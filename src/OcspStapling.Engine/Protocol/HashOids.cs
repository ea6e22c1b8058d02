using System.Security.Cryptography;

namespace OcspStapling.Engine.Protocol;

internal static class HashOids
{
    public const string Sha1 = "1.3.14.3.2.26";
    public const string Sha256 = "2.16.840.1.101.3.4.2.1";
    public const string Sha384 = "2.16.840.1.101.3.4.2.2";
    public const string Sha512 = "2.16.840.1.101.3.4.2.3";

    public static string Of(CertIdHash hash) => hash == CertIdHash.Sha256 ? Sha256 : Sha1;

    public static HashAlgorithmName? Algorithm(string oid) => oid switch
    {
        Sha1 => HashAlgorithmName.SHA1,
        Sha256 => HashAlgorithmName.SHA256,
        Sha384 => HashAlgorithmName.SHA384,
        Sha512 => HashAlgorithmName.SHA512,
        _ => null,
    };

    public static string Name(string oid) => Algorithm(oid)?.Name ?? oid;
}
