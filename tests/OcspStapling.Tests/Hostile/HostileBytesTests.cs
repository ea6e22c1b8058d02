using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine;
using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Protocol;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Hostile;

/// <summary>
/// Bytes built to hurt a parser: each is refused with a named reason, quickly and within the process, where before
/// the nesting killed the process (stack overflow in BouncyCastle) and the must-staple reader spun for ever.
/// </summary>
public sealed class HostileBytesTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public HostileBytesTests(LabResponderFixture lab) => _lab = lab;

    [Theory]
    [InlineData(40_000)]
    [InlineData(16_000)]
    [InlineData(Asn1Limits.MaxDepth + 1)]
    public void Deeply_nested_sequences_are_refused_by_name(int levels)
    {
        var failure = Assert.Throws<OcspFormatException>(() => OcspResponseDecoder.Decode(HostileDer.NestedSequences(levels)));
        Assert.Contains($"more than {Asn1Limits.MaxDepth} levels deep", failure.Message);
    }

    [Fact]
    public void Deep_indefinite_length_nesting_is_refused_by_name()
    {
        var failure = Assert.Throws<OcspFormatException>(() => OcspResponseDecoder.Decode(HostileDer.NestedIndefinite(30_000)));
        Assert.Contains("levels deep", failure.Message);
    }

    [Fact]
    public void Nesting_hidden_inside_the_response_octet_string_is_refused_too()
    {
        var hostile = HostileDer.ResponseAround(HostileDer.NestedSequences(40_000));
        Assert.True(hostile.Length < 200_000);

        var failure = Assert.Throws<OcspFormatException>(() => OcspResponseDecoder.Decode(hostile));
        Assert.Contains("levels deep", failure.Message);
    }

    [Fact]
    public void Nesting_within_the_limit_reaches_the_parser_and_fails_as_malformed_not_as_too_deep()
    {
        var shallow = HostileDer.ResponseAround(HostileDer.NestedSequences(20));
        var failure = Assert.Throws<OcspFormatException>(() => OcspResponseDecoder.Decode(shallow));
        Assert.DoesNotContain("levels deep", failure.Message);
    }

    [Fact]
    public async Task A_real_response_passes_the_shape_check_and_decodes()
    {
        var cert = _lab.GoodLeaf("shape.example.test");
        using var fetcher = new StapleFetcher();
        var result = await fetcher.FetchAsync(CertificateFile.Load(cert), FetchOptions.Default);

        Assert.Null(Asn1Limits.Check(result.Response.RawData));
        Assert.Equal(CertStatus.Good, OcspResponseDecoder.Decode(result.Response.RawData).Responses[0].CertStatus);
    }

    [Fact]
    public void A_length_that_claims_more_than_there_is_is_named()
    {
        var lying = new byte[] { 0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x0a, 0x01, 0x00 };
        var failure = Assert.Throws<OcspFormatException>(() => OcspResponseDecoder.Decode(lying));
        Assert.Contains("not well-formed", failure.Message);
    }

    [Fact]
    public void A_pem_certificate_given_as_a_staple_is_called_a_certificate()
    {
        var pem = System.Text.Encoding.ASCII.GetBytes(_lab.Pki.Issuer.ExportCertificatePem());
        var failure = Assert.Throws<OcspFormatException>(() => OcspResponseDecoder.Decode(pem));
        Assert.Contains("it is a PEM certificate", failure.Message);
    }

    [Fact]
    public void A_der_certificate_given_as_a_staple_is_called_a_certificate()
    {
        var failure = Assert.Throws<OcspFormatException>(() => OcspResponseDecoder.Decode(_lab.Pki.Issuer.RawData));
        Assert.Contains("it is a DER certificate", failure.Message);
    }

    [Fact]
    public void A_tls_feature_integer_above_two_to_the_31_is_read_past_not_looped_on()
    {
        using var huge = CertificateWithTlsFeatures(new System.Numerics.BigInteger(1) << 40);
        using var hugeThenStatusRequest = CertificateWithTlsFeatures(new System.Numerics.BigInteger(1) << 40, 5);

        Assert.False(CertificateFacts.IsMustStaple(huge));
        Assert.True(CertificateFacts.IsMustStaple(hugeThenStatusRequest));
    }

    [Fact]
    public async Task A_base64_staple_file_that_does_not_decode_is_a_named_error()
    {
        var cert = _lab.GoodLeaf("badbase64.example.test");
        var staple = Path.Combine(Path.GetDirectoryName(cert)!, "site.ocsp.b64");
        File.WriteAllText(staple, "MIIB" + new string('A', 41) + "\n");

        var failure = await Assert.ThrowsAsync<StaplingException>(() => StapleFileCheck.CheckAsync(staple, CertificateFile.Load(cert), FetchOptions.Default));
        Assert.Equal(FailureReason.StapleFileUnreadable, failure.Reason);
        Assert.Contains("looks like base64 but does not decode", failure.Message);
    }

    [Fact]
    public async Task A_listener_whose_staple_file_is_broken_base64_starts_and_says_why_it_does_not_staple()
    {
        var cert = _lab.GoodLeaf("listenbadbase64.example.test");
        var staple = Path.Combine(Path.GetDirectoryName(cert)!, "site.ocsp.b64");
        File.WriteAllText(staple, "MIIB" + new string('A', 41) + "\n");

        await using var listener = await Engine.Tls.StaplingListener.StartAsync(ListenerFiles.Options(cert, staple) with { Tls = ListenerTls.SslStream });

        Assert.Null(listener.Staple);
        Assert.Contains("looks like base64 but does not decode", listener.LastRefreshError);
    }

    private static X509Certificate2 CertificateWithTlsFeatures(params System.Numerics.BigInteger[] features)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var feature in features)
                writer.WriteInteger(feature);
        }
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=features.example.test", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509Extension("1.3.6.1.5.5.7.1.24", writer.Encode(), critical: false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }
}
