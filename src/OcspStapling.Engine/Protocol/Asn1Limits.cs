namespace OcspStapling.Engine.Protocol;

/// <summary>
/// Checks the shape of untrusted BER/DER before a recursive parser (BouncyCastle's Asn1InputStream) sees it: nesting
/// depth and element count are bounded, so deeply nested input is refused in microseconds instead of overflowing the
/// stack (which no catch can handle) or costing seconds of CPU. Iterative: a stack of end offsets, never recursion.
/// </summary>
/// <remarks>
/// OCTET STRINGs and BIT STRINGs that hold encoded structures (the BasicOCSPResponse inside responseBytes,
/// extension values, keys) are walked too, at the depth they sit at, since the parser descends into them later.
/// Their contents may also be opaque bytes, so a malformation inside one ends that walk without failing the input;
/// the depth already seen still counts.
/// </remarks>
public static class Asn1Limits
{
    /// <summary>Real OCSP responses with embedded certificates nest about 20 deep, encapsulations included.</summary>
    public const int MaxDepth = 48;

    /// <summary>Elements visited, encapsulated ones included; a response with a few certificates has a few hundred.</summary>
    public const int MaxElements = 50_000;

    private const int Indefinite = -1;

    /// <summary>Null when the input's first element is within bounds and well formed; otherwise why not, in words.</summary>
    public static string? Check(ReadOnlySpan<byte> input)
    {
        var budget = MaxElements;
        return Walk(input, 0, ref budget, strict: true);
    }

    /// <summary>
    /// Walks one buffer of concatenated elements. <paramref name="strict"/> is false inside encapsulations, where a
    /// malformation only means "opaque bytes". Returns the reason to refuse the whole input, or null.
    /// </summary>
    private static string? Walk(ReadOnlySpan<byte> data, int baseDepth, ref int budget, bool strict)
    {
        // Ends of the constructed elements we are inside: an offset, or Indefinite until their end-of-contents.
        Span<int> ends = stackalloc int[MaxDepth + 1];
        var depth = 0;
        var at = 0;
        while (true)
        {
            // Close every definite-length element that ends here.
            while (depth > 0 && ends[depth - 1] != Indefinite && at == ends[depth - 1])
                depth--;
            var limit = depth > 0 && ends[depth - 1] != Indefinite ? ends[depth - 1] : data.Length;
            // The outer level is one element; what follows it is the caller's to judge (trailing data).
            if (depth == 0 && (at == data.Length || strict && at > 0))
                return null;
            if (at >= limit)
                return Malformed(strict, "an element runs past the end of the one that holds it");
            if (--budget < 0)
                return $"it holds more than {MaxElements} ASN.1 elements";

            if (!TryReadHeader(data[..limit], ref at, out var tag, out var constructed, out var length))
                return Malformed(strict, "an ASN.1 header is truncated or malformed");
            if (tag == 0 && !constructed && length == 0)
            {
                // End-of-contents: closes the innermost indefinite-length element.
                if (depth == 0 || ends[depth - 1] != Indefinite)
                    return Malformed(strict, "an end-of-contents marker stands outside an indefinite-length element");
                depth--;
                continue;
            }
            if (length != Indefinite && length > limit - at)
                return Malformed(strict, "a length field claims more bytes than there are");
            if (constructed)
            {
                if (baseDepth + depth + 1 > MaxDepth)
                    return $"it nests ASN.1 more than {MaxDepth} levels deep";
                ends[depth++] = length == Indefinite ? Indefinite : at + length;
                continue;
            }
            if (length == Indefinite)
                return Malformed(strict, "a primitive element has an indefinite length");
            var content = data.Slice(at, length);
            at += length;
            if (EncapsulatedBytes(tag, content) is { IsEmpty: false } inner)
            {
                var refusal = Walk(inner, baseDepth + depth + 1, ref budget, strict: false);
                if (refusal != null)
                    return refusal;
            }
        }
    }

    // Inside an encapsulation a malformation means opaque bytes: that walk ends, and the input is not refused for it.
    private static string? Malformed(bool strict, string why) => strict ? $"it is not well-formed ASN.1 ({why})" : null;

    // OCTET STRING (4) and BIT STRING (3, after its unused-bits byte) that start like a constructed element.
    private static ReadOnlySpan<byte> EncapsulatedBytes(int tag, ReadOnlySpan<byte> content)
    {
        if (tag == 4 && content.Length >= 2 && (content[0] & 0x20) != 0)
            return content;
        if (tag == 3 && content.Length >= 3 && content[0] == 0 && (content[1] & 0x20) != 0)
            return content[1..];
        return default;
    }

    /// <summary>Reads a tag and a length; advances <paramref name="at"/> past them. Length is Indefinite for 0x80.</summary>
    private static bool TryReadHeader(ReadOnlySpan<byte> data, ref int at, out int tag, out bool constructed, out int length)
    {
        tag = 0;
        length = 0;
        constructed = false;
        if (at >= data.Length)
            return false;
        var first = data[at++];
        constructed = (first & 0x20) != 0;
        tag = first & 0x1f;
        if (tag == 0x1f)
        {
            // High tag number: base-128 digits; more than four of them is no tag any real structure uses.
            tag = 0;
            for (var digits = 0; ; digits++)
            {
                if (at >= data.Length || digits == 4)
                    return false;
                var b = data[at++];
                tag = (tag << 7) | (b & 0x7f);
                if ((b & 0x80) == 0)
                    break;
            }
            tag |= 0x100; // never confused with a universal tag number
        }
        tag |= first & 0xc0;
        if (at >= data.Length)
            return false;
        var lead = data[at++];
        if (lead < 0x80)
        {
            length = lead;
            return true;
        }
        if (lead == 0x80)
        {
            length = constructed ? Indefinite : -2;
            return constructed;
        }
        var count = lead & 0x7f;
        if (count > 4 || count > data.Length - at)
            return false;
        long value = 0;
        for (var i = 0; i < count; i++)
            value = (value << 8) | data[at++];
        if (value > int.MaxValue)
            return false;
        length = (int)value;
        return true;
    }
}
