using System.Formats.Asn1;

namespace OcspStapling.Engine.Protocol;

/// <summary>
/// The times of a ResponseData (RFC 6960 4.2.1), read with .NET's managed ASN.1 reader rather than BouncyCastle's:
/// BouncyCastle 1.8's GeneralizedTime conversion recurses without end on some malformed times (found by fuzzing),
/// a stack overflow no catch can stop. 2.x refuses that input with an exception instead; this reader stays, so no
/// BouncyCastle time conversion is on the path of untrusted bytes (Hostile/FuzzTests keeps the input).
/// </summary>
internal static class ResponseTimes
{
    public sealed record Single(DateTimeOffset ThisUpdate, DateTimeOffset? NextUpdate, DateTimeOffset? RevocationTime);

    private static readonly Asn1Tag Version = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag NextUpdateTag = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag Revoked = new(TagClass.ContextSpecific, 1, isConstructed: true);

    /// <exception cref="AsnContentException">The structure or a time is malformed.</exception>
    public static (DateTimeOffset ProducedAt, IReadOnlyList<Single> Responses) Read(byte[] tbsResponseData)
    {
        var data = new AsnReader(tbsResponseData, AsnEncodingRules.BER).ReadSequence();
        if (data.PeekTag().HasSameClassAndValue(Version))
            data.ReadEncodedValue();
        data.ReadEncodedValue(); // responderID
        var producedAt = data.ReadGeneralizedTime();
        var responses = new List<Single>();
        var list = data.ReadSequence();
        while (list.HasData)
        {
            var single = list.ReadSequence();
            single.ReadEncodedValue(); // certID
            DateTimeOffset? revokedAt = null;
            if (single.PeekTag().HasSameClassAndValue(Revoked))
                revokedAt = single.ReadSequence(Revoked).ReadGeneralizedTime();
            else
                single.ReadEncodedValue(); // good or unknown: an implicit NULL
            var thisUpdate = single.ReadGeneralizedTime();
            DateTimeOffset? nextUpdate = null;
            if (single.HasData && single.PeekTag().HasSameClassAndValue(NextUpdateTag))
                nextUpdate = single.ReadSequence(NextUpdateTag).ReadGeneralizedTime();
            responses.Add(new Single(thisUpdate.ToUniversalTime(), nextUpdate?.ToUniversalTime(), revokedAt?.ToUniversalTime()));
        }
        return (producedAt.ToUniversalTime(), responses);
    }
}
