using System.Security.Cryptography.X509Certificates;

namespace OcspStapling.Engine.Protocol;

/// <summary>
/// A parsed OCSP response, immutable. <see cref="RawData"/> is the exact DER received: what gets stapled.
/// Holds no BouncyCastle types, so it serialises and formats like any .NET object.
/// </summary>
public sealed class OcspResponse
{
    internal OcspResponse(
        byte[] rawData,
        OcspResponseStatus status,
        DateTimeOffset? producedAt,
        string? responderId,
        IReadOnlyList<SingleResponse> responses,
        IReadOnlyList<X509Certificate2> certificates,
        byte[]? nonce,
        SignedPart? signed,
        IReadOnlyList<string>? unsupportedCriticalExtensions = null)
    {
        RawData = rawData;
        Status = status;
        ProducedAt = producedAt;
        ResponderId = responderId;
        Responses = responses;
        Certificates = certificates;
        Nonce = nonce;
        Signed = signed;
        UnsupportedCriticalExtensions = unsupportedCriticalExtensions ?? Array.Empty<string>();
    }

    public byte[] RawData { get; }

    public OcspResponseStatus Status { get; }

    public DateTimeOffset? ProducedAt { get; }

    /// <summary>"CN=…" when the responder named itself, "key:HEX" when it gave its key hash.</summary>
    public string? ResponderId { get; }

    public IReadOnlyList<SingleResponse> Responses { get; }

    /// <summary>Certificates the responder included, normally its own delegated signing certificate.</summary>
    public IReadOnlyList<X509Certificate2> Certificates { get; }

    /// <summary>The nonce extension's value, when the response has one.</summary>
    public byte[]? Nonce { get; }

    internal SignedPart? Signed { get; }

    /// <summary>OIDs of extensions marked critical that this reader does not understand (RFC 6960 4.4: reject the response).</summary>
    public IReadOnlyList<string> UnsupportedCriticalExtensions { get; }

    /// <summary>The answer about <paramref name="certId"/>, or null when the response has none for it.</summary>
    public SingleResponse? For(CertId certId) => Responses.FirstOrDefault(r => r.CertId.Matches(certId));

    /// <summary>The bytes a signature covers and the signature itself, kept for verification.</summary>
    internal sealed record SignedPart(byte[] TbsResponseData, string SignatureAlgorithmOid, byte[] Signature, byte[]? ResponderKeyHash, byte[]? ResponderNameDer);
}
