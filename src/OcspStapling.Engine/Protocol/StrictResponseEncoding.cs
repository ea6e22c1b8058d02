using System.Formats.Asn1;
using System.Text;

namespace OcspStapling.Engine.Protocol;

/// <summary>
/// Walks a whole OCSPResponse (RFC 6960 4.2.1), the unsigned outer wrapper included, against its schema and refuses
/// what OpenSSL's parser refuses: a wrong tag or class anywhere, lengths that do not add up, trailing bytes at any
/// level, non-minimal INTEGER/ENUMERATED, malformed OIDs, BOOLEAN/NULL of the wrong length, name values that are not
/// universal string types or not decodable. BouncyCastle reads around several of these (it ignored a wrong tag on the
/// responseBytes OCTET STRING), and a staple nginx, HAProxy or a client cannot read is worse than none.
/// </summary>
/// <remarks>BER lengths stay allowed, as OpenSSL allows them. Certificates are left to the platform's reader (OpenSSL on Linux).</remarks>
internal static class StrictResponseEncoding
{
    private const string BasicOid = "1.3.6.1.5.5.7.48.1.1";

    private static readonly Asn1Tag Explicit0 = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag Explicit1 = new(TagClass.ContextSpecific, 1, isConstructed: true);
    private static readonly Asn1Tag Explicit2 = new(TagClass.ContextSpecific, 2, isConstructed: true);
    private static readonly Asn1Tag Good = new(TagClass.ContextSpecific, 0);
    private static readonly Asn1Tag Unknown = new(TagClass.ContextSpecific, 2);

    /// <summary>Null when the encoding is one OpenSSL reads; otherwise which part is wrong, in words.</summary>
    public static string? Check(byte[] der)
    {
        var part = "the response";
        try
        {
            var top = new AsnReader(der, AsnEncodingRules.BER);
            var response = top.ReadSequence();
            End(top);
            part = "its responseStatus";
            var status = response.ReadEnumeratedBytes();
            if (!response.HasData)
                return null;
            part = "its responseBytes";
            var wrapper = response.ReadSequence(Explicit0);
            End(response);
            var bytes = wrapper.ReadSequence();
            End(wrapper);
            var type = bytes.ReadObjectIdentifier();
            var inner = bytes.ReadOctetString();
            End(bytes);
            if (type != BasicOid || status.Span is not [0])
                return null; // not ours to read: the decoder names other types and statuses
            part = "its basic response";
            Basic(inner);
            return null;
        }
        catch (AsnContentException)
        {
            return $"{part} is not encoded as OpenSSL reads it";
        }
    }

    private static void Basic(byte[] der)
    {
        var top = new AsnReader(der, AsnEncodingRules.BER);
        var basic = top.ReadSequence();
        End(top);
        ResponseData(basic.ReadSequence());
        AlgorithmIdentifier(basic.ReadSequence());
        basic.ReadBitString(out _);
        if (basic.HasData)
        {
            var certs = basic.ReadSequence(Explicit0).ReadSequence();
            while (certs.HasData)
                certs.ReadSequence(); // each one is read by the platform's certificate reader later
        }
        End(basic);
    }

    private static void ResponseData(AsnReader data)
    {
        if (data.PeekTag().HasSameClassAndValue(Explicit0))
        {
            var version = data.ReadSequence(Explicit0);
            version.ReadIntegerBytes();
            End(version);
        }
        var tag = data.PeekTag();
        if (tag.HasSameClassAndValue(Explicit1))
        {
            var byName = data.ReadSequence(Explicit1);
            Name(byName.ReadSequence());
            End(byName);
        }
        else
        {
            var byKey = data.ReadSequence(Explicit2);
            byKey.ReadOctetString();
            End(byKey);
        }
        data.ReadGeneralizedTime();
        var responses = data.ReadSequence();
        while (responses.HasData)
            SingleResponse(responses.ReadSequence());
        if (data.HasData)
            Extensions(data, Explicit1);
        End(data);
    }

    private static void SingleResponse(AsnReader single)
    {
        var certId = single.ReadSequence();
        AlgorithmIdentifier(certId.ReadSequence());
        certId.ReadOctetString();
        certId.ReadOctetString();
        certId.ReadIntegerBytes();
        End(certId);
        var status = single.PeekTag();
        if (status.HasSameClassAndValue(Good))
            single.ReadNull(Good);
        else if (status.HasSameClassAndValue(Unknown))
            single.ReadNull(Unknown);
        else
        {
            var revoked = single.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true));
            revoked.ReadGeneralizedTime();
            if (revoked.HasData)
            {
                var reason = revoked.ReadSequence(Explicit0);
                reason.ReadEnumeratedBytes();
                End(reason);
            }
            End(revoked);
        }
        single.ReadGeneralizedTime();
        if (single.HasData && single.PeekTag().HasSameClassAndValue(Explicit0))
        {
            var next = single.ReadSequence(Explicit0);
            next.ReadGeneralizedTime();
            End(next);
        }
        if (single.HasData)
            Extensions(single, Explicit1);
        End(single);
    }

    private static void Extensions(AsnReader holder, Asn1Tag tag)
    {
        var wrapper = holder.ReadSequence(tag);
        var list = wrapper.ReadSequence();
        End(wrapper);
        while (list.HasData)
        {
            var extension = list.ReadSequence();
            extension.ReadObjectIdentifier();
            if (extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
                extension.ReadBoolean();
            extension.ReadOctetString();
            End(extension);
        }
    }

    private static void AlgorithmIdentifier(AsnReader algorithm)
    {
        algorithm.ReadObjectIdentifier();
        if (algorithm.HasData)
            Any(algorithm);
        End(algorithm);
    }

    // X.501 Name: SEQUENCE OF SET OF { type, value }; OpenSSL wants each value a universal string type it can convert.
    private static void Name(AsnReader name)
    {
        while (name.HasData)
        {
            var set = name.ReadSetOf(skipSortOrderValidation: true);
            if (!set.HasData)
                throw new AsnContentException("an empty relative name");
            while (set.HasData)
            {
                var attribute = set.ReadSequence();
                attribute.ReadObjectIdentifier();
                NameValue(attribute);
                End(attribute);
            }
        }
    }

    private static void NameValue(AsnReader attribute)
    {
        var tag = attribute.PeekTag();
        if (tag.TagClass != TagClass.Universal)
            throw new AsnContentException("a name value that is not a universal type");
        var number = (UniversalTagNumber)tag.TagValue;
        switch (number)
        {
            case UniversalTagNumber.UTF8String:
            case UniversalTagNumber.BMPString:
                attribute.ReadCharacterString(number); // .NET refuses invalid UTF-8 and odd UCS-2, as OpenSSL's conversion does
                break;
            case UniversalTagNumber.UniversalString:
                UniversalString(attribute);
                break;
            case UniversalTagNumber.PrintableString:
            case UniversalTagNumber.T61String:
            case UniversalTagNumber.IA5String:
            case UniversalTagNumber.NumericString:
                attribute.ReadEncodedValue();
                break;
            default:
                throw new AsnContentException("a name value of a type OpenSSL does not take");
        }
    }

    // OpenSSL's ANY converts universal primitives by type: those it checks are checked here; others are read whole.
    private static void Any(AsnReader holder)
    {
        var tag = holder.PeekTag();
        if (tag.TagClass != TagClass.Universal || tag.IsConstructed)
        {
            holder.ReadEncodedValue();
            return;
        }
        switch ((UniversalTagNumber)tag.TagValue)
        {
            case UniversalTagNumber.Null: holder.ReadNull(); break;
            case UniversalTagNumber.Boolean: holder.ReadBoolean(); break;
            case UniversalTagNumber.Integer: holder.ReadIntegerBytes(); break;
            case UniversalTagNumber.Enumerated: holder.ReadEnumeratedBytes(); break;
            case UniversalTagNumber.ObjectIdentifier: holder.ReadObjectIdentifier(); break;
            case UniversalTagNumber.BitString: holder.ReadBitString(out _); break;
            case UniversalTagNumber.UTF8String:
            case UniversalTagNumber.BMPString: holder.ReadCharacterString((UniversalTagNumber)tag.TagValue); break;
            case UniversalTagNumber.UniversalString: UniversalString(holder); break;
            default: holder.ReadEncodedValue(); break;
        }
    }

    // UCS-4: OpenSSL refuses a length that is no multiple of 4.
    private static void UniversalString(AsnReader holder)
    {
        var encoded = holder.ReadEncodedValue();
        AsnDecoder.ReadEncodedValue(encoded.Span, AsnEncodingRules.BER, out _, out var length, out _);
        if (length % 4 != 0)
            throw new AsnContentException("a UniversalString of a length no multiple of 4");
    }

    private static void End(AsnReader reader)
    {
        if (reader.HasData)
            throw new AsnContentException("trailing data");
    }
}
