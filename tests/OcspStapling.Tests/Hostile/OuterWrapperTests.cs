using OcspStapling.Engine.Protocol;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Hostile;

/// <summary>
/// Issue 23 item 2: one changed byte in the unsigned outer wrapper (outside what the signature covers) used to give
/// "good, verified" while `openssl ocsp -respin` (and so nginx, HAProxy, clients) could not read the staple.
/// </summary>
public sealed class OuterWrapperTests : IClassFixture<FuzzInputs>
{
    private readonly FuzzInputs _inputs;

    public OuterWrapperTests(FuzzInputs inputs) => _inputs = inputs;

    public static TheoryData<string, int, byte> Damages => new()
    {
        // what is damaged, which element of the wrapper (0: [0], 1: SEQUENCE, 2: OID, 3: OCTET STRING), its new tag
        { "the [0] of responseBytes as [1]", 0, 0xa1 },
        { "the [0] of responseBytes as primitive", 0, 0x80 },
        { "the responseBytes SEQUENCE as a SET", 1, 0x31 },
        { "the responseType OID as an OCTET STRING", 2, 0x04 },
        { "the OCTET STRING as a UTF8String", 3, 0x0c },
        { "the OCTET STRING as a BIT STRING", 3, 0x03 },
    };

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task A_damaged_wrapper_is_refused_as_openssl_refuses_it(string damage, int element, byte tag)
    {
        using var dir = new TempDirectory();
        var der = (byte[])_inputs.Responses[0].Clone();
        var at = WrapperTags(der)[element];
        Assert.True(der[at] != tag, damage);
        der[at] = tag;
        var file = dir.File("damaged.der");
        File.WriteAllBytes(file, der);

        var openssl = await ProcessRunner.RunAsync("openssl", new[] { "ocsp", "-respin", file, "-noverify", "-resp_text" });
        Assert.False(OpenSslReads(openssl.All), openssl.All);
        var refused = Assert.Throws<OcspFormatException>(() => OcspResponseDecoder.Decode(der));
        Assert.Contains("not encoded as OpenSSL reads it", refused.Message);
        Assert.DoesNotContain(" at ", refused.Message);
    }

    [Fact]
    public async Task The_in_process_oracle_judges_as_the_openssl_command_does()
    {
        // The differential property asks libcrypto in-process for speed; this keeps it honest against the real command.
        using var dir = new TempDirectory();
        var file = dir.File("case.der");
        var samples = _inputs.Responses.Take(3).SelectMany(r => Enumerable.Range(0, 12).Select(i => new Mutation(i % 8, i * 7919, i * 104729, i).ApplyTo(r)));
        foreach (var sample in samples.Concat(_inputs.Responses))
        {
            File.WriteAllBytes(file, sample);
            var text = (await ProcessRunner.RunAsync("openssl", new[] { "ocsp", "-respin", file, "-noverify", "-resp_text" })).All;
            Assert.Equal(OpenSslReads(text), OpenSslResponseParser.Accepts(sample));
        }
    }

    // "Error reading OCSP response" when d2i_OCSP_RESPONSE fails, "Error parsing response" when the basic response does.
    private static bool OpenSslReads(string output) =>
        !output.Contains("Error reading OCSP response") && !output.Contains("Error parsing response");

    // Offsets of the wrapper's tags: [0] after the 3-byte responseStatus, then SEQUENCE, OID, OCTET STRING.
    private static int[] WrapperTags(byte[] der)
    {
        var explicit0 = Header(der, 0) + 3;
        var sequence = explicit0 + Header(der, explicit0);
        var oid = sequence + Header(der, sequence);
        Assert.Equal(0x06, der[oid]);
        return new[] { explicit0, sequence, oid, oid + 2 + der[oid + 1] };
    }

    private static int Header(byte[] der, int at)
    {
        System.Formats.Asn1.AsnDecoder.ReadEncodedValue(der.AsSpan(at), System.Formats.Asn1.AsnEncodingRules.BER, out var contentOffset, out _, out _);
        return contentOffset;
    }
}
