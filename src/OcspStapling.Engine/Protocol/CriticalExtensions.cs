using Org.BouncyCastle.Asn1.Ocsp;
using Org.BouncyCastle.Asn1.X509;

namespace OcspStapling.Engine.Protocol;

/// <summary>
/// RFC 6960 4.4: a client that meets a critical extension it does not understand must not rely on the response.
/// These are the extensions this reader acts on; every other critical one is reported by OID.
/// </summary>
internal static class CriticalExtensions
{
    /// <summary>responseExtensions: the nonce (RFC 8954), which the verifier checks.</summary>
    public static readonly IReadOnlySet<string> UnderstoodInResponse = new HashSet<string> { OcspObjectIdentifiers.PkixOcspNonce.Id };

    /// <summary>singleExtensions: none changes what this tool does with an answer, so none may be critical.</summary>
    public static readonly IReadOnlySet<string> UnderstoodInSingleResponse = new HashSet<string>();

    public static IEnumerable<string> Unsupported(X509Extensions? extensions, IReadOnlySet<string> understood) =>
        extensions?.GetCriticalExtensionOids().Select(oid => oid.Id).Where(id => !understood.Contains(id)) ?? Enumerable.Empty<string>();
}
