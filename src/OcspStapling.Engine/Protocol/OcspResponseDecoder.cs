using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Ocsp;
using Org.BouncyCastle.Ocsp;
using OcspStapling.Engine.Verification;

namespace OcspStapling.Engine.Protocol;

/// <summary>Thrown when bytes are not a well-formed OCSP response.</summary>
public sealed class OcspFormatException : Exception
{
    public OcspFormatException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>Parses DER into <see cref="OcspResponse"/>. No I/O, no policy.</summary>
public static class OcspResponseDecoder
{
    /// <summary>Larger inputs are refused before BouncyCastle sees them.</summary>
    public const int MaxInputBytes = 1024 * 1024;

    public static OcspResponse Decode(byte[] der)
    {
        if (der.Length == 0)
            throw new OcspFormatException("it is empty");
        if (der.Length > MaxInputBytes)
            throw new OcspFormatException($"it is {der.Length} bytes, over the {MaxInputBytes}-byte limit");
        if (NotAResponse.DescribeText(der) is { } text)
            throw new OcspFormatException(text);
        // Before anything recursive reads it: hostile nesting would overflow BouncyCastle's stack and end the process.
        if (Asn1Limits.Check(der) is { } refusal)
            throw new OcspFormatException(refusal);
        if (NotAResponse.DescribeDer(der) is { } other)
            throw new OcspFormatException(other);
        RejectTrailingData(der);
        // BouncyCastle reads around a wrong tag or length in places; nginx, HAProxy and clients (OpenSSL) do not.
        if (StrictResponseEncoding.Check(der) is { } encoding)
            throw new OcspFormatException(encoding);
        try
        {
            var outer = new OcspResp(der);
            var status = (OcspResponseStatus)outer.Status;
            // RFC 6960 defines 0-3, 5 and 6; another value is no responder's answer but damage (OpenSSL: "unknown").
            if (!Enum.IsDefined(status))
                throw new OcspFormatException($"its responseStatus {outer.Status} is not one RFC 6960 defines");
            if (status != OcspResponseStatus.Successful)
                return new OcspResponse(der, status, null, null, Array.Empty<SingleResponse>(), Array.Empty<X509Certificate2>(), null, null);
            if (outer.GetResponseObject() is not BasicOcspResp basic)
                throw new OcspFormatException("it is not a basic OCSP response (id-pkix-ocsp-basic)");
            return FromBasic(der, basic);
        }
        catch (Exception e) when (e is not OcspFormatException and not OutOfMemoryException)
        {
            // Pure parsing of bounded input: whatever BouncyCastle or the platform's certificate reader throws
            // (casts, indexes, unsupported algorithms, certificates it cannot load) means the bytes are malformed.
            throw new OcspFormatException($"it is not a valid OCSP response ({ExceptionWords.Of(e)})", e);
        }
    }

    private static OcspResponse FromBasic(byte[] der, BasicOcspResp basic)
    {
        var responderId = basic.ResponderId.ToAsn1Object();
        byte[]? keyHash = responderId.GetKeyHash();
        var name = responderId.Name;
        var times = ResponseTimes.Read(basic.GetTbsResponseData());
        if (times.Responses.Count != basic.Responses.Length)
            throw new OcspFormatException("its list of answers cannot be read consistently");
        var singles = basic.Responses.Select((single, i) => ToSingle(single, times.Responses[i])).ToList();
        var certs = basic.GetCerts().Select(BouncyCastleCertificates.ToPlatform).ToList();
        var nonce = UnwrapNonce(basic.ResponseExtensions?.GetExtension(OcspObjectIdentifiers.PkixOcspNonce)?.Value.GetOctets());
        var signed = new OcspResponse.SignedPart(basic.GetTbsResponseData(), basic.SignatureAlgorithm.Algorithm.Id, basic.GetSignature(), keyHash, name?.GetEncoded());
        var display = name != null ? name.ToString() : keyHash != null ? "key:" + Convert.ToHexString(keyHash) : null;
        var unsupported = CriticalExtensions.Unsupported(basic.ResponseExtensions, CriticalExtensions.UnderstoodInResponse)
            .Concat(basic.Responses.SelectMany(r => CriticalExtensions.Unsupported(r.SingleExtensions, CriticalExtensions.UnderstoodInSingleResponse)))
            .Distinct()
            .ToList();
        return new OcspResponse(der, OcspResponseStatus.Successful, times.ProducedAt, display, singles, certs, nonce, signed, unsupported);
    }

    private static SingleResponse ToSingle(SingleResp single, ResponseTimes.Single times)
    {
        var id = OcspRequestMessage.FromAsn1(single.GetCertID());
        return single.GetCertStatus() switch
        {
            null => new SingleResponse(id, CertStatus.Good, times.ThisUpdate, times.NextUpdate, null, null),
            RevokedStatus revoked => new SingleResponse(id, CertStatus.Revoked, times.ThisUpdate, times.NextUpdate,
                times.RevocationTime ?? throw new OcspFormatException("a revoked answer has no revocation time"),
                revoked.HasRevocationReason ? (RevocationReason)revoked.RevocationReason : null),
            _ => new SingleResponse(id, CertStatus.Unknown, times.ThisUpdate, times.NextUpdate, null, null),
        };
    }

    // RFC 8954: the nonce extension's value is an OCTET STRING; some responders put the bare bytes there instead.
    private static byte[]? UnwrapNonce(byte[]? extensionValue)
    {
        if (extensionValue == null)
            return null;
        try
        {
            var inner = AsnDecoder.ReadOctetString(extensionValue, AsnEncodingRules.BER, out var consumed);
            return consumed == extensionValue.Length ? inner : extensionValue;
        }
        catch (AsnContentException)
        {
            return extensionValue;
        }
    }

    // BouncyCastle reads one object and ignores the rest; a strict client rejects trailing bytes (as Go's x/crypto/ocsp does).
    private static void RejectTrailingData(byte[] der)
    {
        try
        {
            AsnDecoder.ReadEncodedValue(der, AsnEncodingRules.BER, out _, out _, out var consumed);
            if (consumed != der.Length)
                throw new OcspFormatException($"it has {der.Length - consumed} bytes of trailing data after the response");
        }
        catch (AsnContentException e)
        {
            throw new OcspFormatException("it is not DER-encoded data", e);
        }
    }
}
