using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine;
using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Tls;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Core;

/// <summary>Certificate files, must-staple, CertIDs and the response codec: the parts with no network.</summary>
public sealed class CertificateAndCodecTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public CertificateAndCodecTests(LabResponderFixture lab) => _lab = lab;

    [Fact]
    public void The_leaf_is_found_whatever_order_the_chain_file_is_in()
    {
        var leaf = _lab.Pki.IssueLeaf("order.example.test", Array.Empty<string>());
        using var dir = new TempDirectory();
        var reversed = LabFiles.WritePem(dir.File("reversed.pem"), _lab.Pki.Root, _lab.Pki.Issuer, leaf);

        var bundle = CertificateFile.Load(reversed);

        Assert.Equal(leaf.Thumbprint, bundle.Leaf.Thumbprint);
        Assert.Equal(2, bundle.Chain.Count);
    }

    [Fact]
    public void A_DER_certificate_file_is_read()
    {
        var leaf = _lab.Pki.IssueLeaf("der.example.test", Array.Empty<string>());
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("leaf.cer"), leaf.RawData);

        Assert.Equal(leaf.Thumbprint, CertificateFile.Load(dir.File("leaf.cer")).Leaf.Thumbprint);
    }

    [Fact]
    public void Must_staple_is_detected_from_the_tls_feature_extension()
    {
        Assert.True(CertificateFacts.IsMustStaple(_lab.Pki.IssueLeaf("must.example.test", Array.Empty<string>(), mustStaple: true)));
        Assert.False(CertificateFacts.IsMustStaple(_lab.Pki.IssueLeaf("may.example.test", Array.Empty<string>())));
    }

    [Fact]
    public void CertIds_differ_by_hash_and_match_only_their_own_kind()
    {
        var leaf = _lab.Pki.IssueLeaf("certid.example.test", Array.Empty<string>());
        var sha1 = CertId.For(leaf, _lab.Pki.Issuer);
        var sha256 = CertId.For(leaf, _lab.Pki.Issuer, CertIdHash.Sha256);

        Assert.Equal("SHA1", sha1.HashAlgorithm);
        Assert.Equal("SHA256", sha256.HashAlgorithm);
        Assert.False(sha1.Matches(sha256));
        Assert.True(sha1.Matches(CertId.For(leaf, _lab.Pki.Issuer)));
        Assert.False(sha1.Matches(CertId.For(leaf, _lab.Pki.Root)));
    }

    [Fact]
    public async Task Trailing_bytes_after_a_response_are_refused()
    {
        var cert = _lab.GoodLeaf("trailing.example.test");
        using var fetcher = new StapleFetcher();
        var der = (await fetcher.FetchAsync(CertificateFile.Load(cert), FetchOptions.Default)).Response.RawData;

        var error = Assert.Throws<OcspFormatException>(() => OcspResponseDecoder.Decode(der.Concat(new byte[] { 0, 0 }).ToArray()));
        Assert.Contains("trailing", error.Message);
        Assert.Throws<OcspFormatException>(() => OcspResponseDecoder.Decode(Array.Empty<byte>()));
    }

    [Fact]
    public async Task A_must_staple_listener_without_a_staple_warns_loudly()
    {
        var cert = _lab.GoodLeaf("must-nostaple.example.test", mustStaple: true);
        var log = new RecordingLog();
        _lab.Responder.Fault = Engine.Lab.LabFault.Http500;
        try
        {
            await using var listener = await StaplingListener.StartAsync(ListenerFiles.Options(cert), log);

            Assert.Null(listener.Staple);
            Assert.Contains(log.Warnings, w => w.Contains("MUST-STAPLE") && w.Contains("CN=must-nostaple.example.test"));
        }
        finally
        {
            _lab.Responder.Fault = Engine.Lab.LabFault.None;
        }
    }
}
