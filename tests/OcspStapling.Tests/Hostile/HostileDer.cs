namespace OcspStapling.Tests.Hostile;

/// <summary>Hand-built DER for hostile inputs: nesting, lying lengths, responses wrapped around other content.</summary>
public static class HostileDer
{
    public static byte[] Length(int length) => length switch
    {
        < 0x80 => new[] { (byte)length },
        < 0x100 => new byte[] { 0x81, (byte)length },
        < 0x10000 => new byte[] { 0x82, (byte)(length >> 8), (byte)length },
        _ => new byte[] { 0x83, (byte)(length >> 16), (byte)(length >> 8), (byte)length },
    };

    public static byte[] Element(byte tag, byte[] content) => new[] { tag }.Concat(Length(content.Length)).Concat(content).ToArray();

    /// <summary><paramref name="levels"/> SEQUENCEs inside each other around a NULL, definite lengths, built inside out.</summary>
    public static byte[] NestedSequences(int levels)
    {
        var inner = new byte[] { 0x05, 0x00 };
        for (var i = 0; i < levels; i++)
            inner = Element(0x30, inner);
        return inner;
    }

    /// <summary>The same with indefinite lengths (BER), each closed by an end-of-contents marker.</summary>
    public static byte[] NestedIndefinite(int levels)
    {
        var bytes = new List<byte>(levels * 4 + 2);
        for (var i = 0; i < levels; i++)
            bytes.AddRange(new byte[] { 0x30, 0x80 });
        bytes.AddRange(new byte[] { 0x05, 0x00 });
        for (var i = 0; i < levels; i++)
            bytes.AddRange(new byte[] { 0x00, 0x00 });
        return bytes.ToArray();
    }

    /// <summary>An OCSPResponse (successful, id-pkix-ocsp-basic) whose response OCTET STRING holds <paramref name="basic"/>.</summary>
    public static byte[] ResponseAround(byte[] basic)
    {
        var basicOid = new byte[] { 0x06, 0x09, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01 };
        var responseBytes = Element(0x30, basicOid.Concat(Element(0x04, basic)).ToArray());
        return Element(0x30, new byte[] { 0x0A, 0x01, 0x00 }.Concat(Element(0xA0, responseBytes)).ToArray());
    }
}
