using System.Globalization;
using System.Text.RegularExpressions;
using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Verification;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Hostile;

/// <summary>
/// Responses from real CAs and from cfssl, read by the decoder and by OpenSSL: the two agree on every field, and
/// what OpenSSL cannot parse the decoder refuses by name.
/// </summary>
public sealed class CorpusTests
{
    [PeerTheory("openssl")]
    [MemberData(nameof(Corpus.Names), MemberType = typeof(Corpus))]
    public async Task The_decoder_reads_what_openssl_reads(string name)
    {
        var file = Path.Combine(Corpus.Directory, name);
        var text = (await ProcessRunner.RunAsync("openssl", new[] { "ocsp", "-respin", file, "-resp_text", "-noverify" })).All;
        var der = File.ReadAllBytes(file);

        if (Regex.Match(text, @"Responder Error: .*\((\d+)\)") is { Success: true } refused)
        {
            var decoded = TryDecode(der);
            Assert.True(decoded == null || (int)decoded.Status == int.Parse(refused.Groups[1].Value), $"{name}: {decoded?.Status}");
            return;
        }
        if (text.Contains("Error parsing response"))
        {
            Assert.Throws<OcspFormatException>(() => OcspResponseDecoder.Decode(der));
            return;
        }
        var response = OcspResponseDecoder.Decode(der);
        var theirs = Regex.Matches(text, @"Serial Number: (\w+)\s+Cert Status: (\w+)(?:[\s\S]*?This Update: ([^\n]+))(?:\s+Next Update: ([^\n]+))?")
            .Select(m => (Serial: CertId.NormalizeSerial(m.Groups[1].Value), Status: m.Groups[2].Value, This: Time(m.Groups[3].Value), Next: m.Groups[4].Success ? Time(m.Groups[4].Value) : (DateTimeOffset?)null))
            .ToList();
        Assert.Equal(theirs.Count, response.Responses.Count);
        for (var i = 0; i < theirs.Count; i++)
        {
            var ours = response.Responses[i];
            Assert.Equal(theirs[i].Serial, ours.CertId.SerialNumber);
            Assert.Equal(theirs[i].Status, ours.CertStatus.ToString().ToLowerInvariant());
            Assert.Equal(theirs[i].This, ours.ThisUpdate);
            Assert.Equal(theirs[i].Next, ours.NextUpdate);
        }
    }

    [Theory]
    [InlineData("cfssl-good.der", CertStatus.Good)]
    [InlineData("cfssl-good-by-issuer.der", CertStatus.Good)]
    [InlineData("cfssl-revoked.der", CertStatus.Revoked)]
    [InlineData("cfssl-unknown.der", CertStatus.Unknown)]
    public void Responses_signed_by_cfssl_verify_with_their_signer(string name, CertStatus status)
    {
        var dir = Path.Combine(Corpus.Directory, "cfssl");
        var leaf = CertificateFile.Load(Path.Combine(dir, "leaf.pem")).Leaf;
        var issuer = CertificateFile.Load(Path.Combine(dir, "ca.pem")).Leaf;
        var response = OcspResponseDecoder.Decode(File.ReadAllBytes(Path.Combine(dir, name)));

        var verdict = OcspVerifier.Verify(response, leaf, issuer, null, VerificationOptions.Default, DateTimeOffset.UtcNow);

        Assert.True(verdict.IsTrustworthy, verdict.ToString());
        Assert.Equal(status, verdict.CertStatus);
    }

    private static OcspResponse? TryDecode(byte[] der)
    {
        try
        {
            return OcspResponseDecoder.Decode(der);
        }
        catch (OcspFormatException)
        {
            return null;
        }
    }

    private static DateTimeOffset Time(string openSslTime) =>
        DateTimeOffset.ParseExact(Regex.Replace(openSslTime.Trim(), @"\s+", " "), "MMM d HH:mm:ss yyyy 'GMT'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
