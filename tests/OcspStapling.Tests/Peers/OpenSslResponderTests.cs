using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Export;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Transport;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Peers;

/// <summary>The engine against OpenSSL's own responder, and every exported file checked by OpenSSL's own client.</summary>
public sealed class OpenSslResponderTests : IClassFixture<LabFixture>
{
    private readonly LabFixture _lab;

    public OpenSslResponderTests(LabFixture lab) => _lab = lab;

    [PeerTheory("openssl")]
    [InlineData(CertStatus.Good, false, RequestMethod.Get, CertIdHash.Sha1)]
    [InlineData(CertStatus.Good, true, RequestMethod.Post, CertIdHash.Sha1)]
    [InlineData(CertStatus.Good, true, RequestMethod.Get, CertIdHash.Sha256)]
    [InlineData(CertStatus.Good, false, RequestMethod.Post, CertIdHash.Sha256)]
    [InlineData(CertStatus.Revoked, false, RequestMethod.Auto, CertIdHash.Sha1)]
    [InlineData(CertStatus.Revoked, true, RequestMethod.Auto, CertIdHash.Sha256)]
    [InlineData(CertStatus.Unknown, false, RequestMethod.Auto, CertIdHash.Sha1)]
    [InlineData(CertStatus.Unknown, true, RequestMethod.Post, CertIdHash.Sha1)]
    public async Task Fetched_response_reports_the_status_OpenSSL_holds_and_exports_a_file_OpenSSL_verifies(
        CertStatus status, bool delegatedSigner, RequestMethod method, CertIdHash hash)
    {
        using var dir = new TempDirectory();
        var leaf = _lab.Pki.IssueLeaf("shop.example.test", new[] { "http://127.0.0.1:9/unused" });
        LabFiles.WriteAll(dir.Path, _lab.Pki, leaf);
        await using var responder = await OpenSslResponder.StartAsync(_lab.Pki, dir.Path, new[] { (leaf, status) }, delegatedSigner);

        using var fetcher = new StapleFetcher(new TransportOptions { Method = method });
        var result = await fetcher.FetchAsync(CertificateFile.Load(dir.File("fullchain.pem")), new FetchOptions { Responder = responder.Url, Hash = hash });

        Assert.True(result.Verified, $"findings: {string.Join("; ", result.Findings)}; responder log: {responder.Log}");
        Assert.Equal(status, result.CertStatus);
        Assert.Equal(method == RequestMethod.Auto ? RequestMethod.Get : method, result.Method);
        Assert.Equal(IssuerSource.Chain, result.IssuerSource);
        Assert.NotNull(result.NextUpdate);

        var staple = dir.File("staple.der");
        StapleExport.Write(result, staple, StapleFormat.Der, force: status != CertStatus.Good);
        var check = await ProcessRunner.RunAsync("openssl", new[]
        {
            "ocsp", "-respin", staple, "-issuer", dir.File("issuer.pem"), hash == CertIdHash.Sha256 ? "-sha256" : "-sha1", "-cert", dir.File("leaf.pem"),
            "-CAfile", dir.File("cafile.pem"), "-no_nonce",
        });
        Assert.Contains("Response verify OK", check.All);
        Assert.Contains($"leaf.pem: {status.ToString().ToLowerInvariant()}", check.StdOut);
    }

    [PeerFact("openssl")]
    public async Task Export_refuses_a_revoked_response_without_force_and_leaves_the_old_file()
    {
        using var dir = new TempDirectory();
        var leaf = _lab.Pki.IssueLeaf("revoked.example.test", Array.Empty<string>());
        LabFiles.WriteAll(dir.Path, _lab.Pki, leaf);
        await using var responder = await OpenSslResponder.StartAsync(_lab.Pki, dir.Path, new[] { (leaf, CertStatus.Revoked) }, delegatedSigner: false);
        var staple = dir.File("staple.der");
        File.WriteAllBytes(staple, new byte[] { 1, 2, 3 });

        using var fetcher = new StapleFetcher();
        var result = await fetcher.FetchAsync(CertificateFile.Load(dir.File("fullchain.pem")), new FetchOptions { Responder = responder.Url });

        var refusal = Assert.Throws<Engine.StaplingException>(() => StapleExport.Write(result, staple, StapleFormat.Der, force: false));
        Assert.Contains("REVOKED", refusal.Message);
        Assert.Contains(staple, refusal.Message);
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(staple));
    }
}
