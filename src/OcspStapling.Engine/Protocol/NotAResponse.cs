using System.Formats.Asn1;
using System.Text;

namespace OcspStapling.Engine.Protocol;

/// <summary>Recognises files that are commonly given where a staple belongs, to say what they are instead of "malformed".</summary>
internal static class NotAResponse
{
    private const string Hint = "name the staple file here and the certificate separately";

    /// <summary>What a PEM file is, when the bytes are one; otherwise null.</summary>
    public static string? DescribeText(ReadOnlySpan<byte> data)
    {
        var head = Encoding.ASCII.GetString(data[..Math.Min(data.Length, 4096)]);
        var begin = head.IndexOf("-----BEGIN ", StringComparison.Ordinal);
        if (begin < 0)
            return null;
        var label = head[(begin + 11)..].Split('-', 2)[0];
        return label.Contains("CERTIFICATE", StringComparison.Ordinal) && !label.Contains("REQUEST", StringComparison.Ordinal)
            ? $"it is a PEM certificate ({label}), not an OCSP response: {Hint}"
            : $"it is a PEM file ({label}), not a DER OCSP response";
    }

    /// <summary>
    /// "a DER certificate" when the bytes have a certificate's outline: SEQUENCE { SEQUENCE, SEQUENCE, BIT STRING },
    /// where an OCSPResponse is SEQUENCE { ENUMERATED, ... }. Call only on input whose shape was already checked.
    /// </summary>
    public static string? DescribeDer(byte[] data)
    {
        try
        {
            var outer = new AsnReader(data, AsnEncodingRules.BER).ReadSequence();
            var sequence = new Asn1Tag(UniversalTagNumber.Sequence, isConstructed: true);
            if (!outer.PeekTag().HasSameClassAndValue(sequence))
                return null;
            outer.ReadEncodedValue();
            if (!outer.PeekTag().HasSameClassAndValue(sequence))
                return null;
            outer.ReadEncodedValue();
            if (!outer.PeekTag().HasSameClassAndValue(Asn1Tag.PrimitiveBitString))
                return null;
            outer.ReadEncodedValue();
            return outer.HasData ? null : $"it is a DER certificate, not an OCSP response: {Hint}";
        }
        catch (AsnContentException)
        {
            return null;
        }
    }
}
