using System.Net;
using System.Net.Sockets;
using System.Text;
using OcspStapling.Cli;
using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Operations;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Cli;

/// <summary>
/// Issue 23's low items outside the store: what `ocspstaple` shows when the words or bytes come from others
/// (control characters, BouncyCastle and .NET messages, redirects, undefined statuses) and an expired certificate.
/// </summary>
public sealed class UntrustedWordsTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public UntrustedWordsTests(LabResponderFixture lab) => _lab = lab;

    [Fact]
    public async Task Control_characters_in_a_name_are_shown_escaped_in_text_output()
    {
        using var dir = new TempDirectory();
        var hostile = Path.Combine(dir.Path, "evil\u001b[2J\u0007\rOK: good, verified\u009b", "site.pem");

        var outcome = await CliRunner.RunAsync("get", hostile);

        Assert.Equal(ExitCodes.Usage, outcome.ExitCode);
        Assert.Contains(@"evil\x1b[2J\x07\x0dOK: good, verified\x9b", outcome.StdErr);
        Assert.DoesNotContain(outcome.StdErr + outcome.StdOut, c => c != '\n' && (char.IsControl(c)));
    }

    [Fact]
    public async Task An_expired_certificate_is_a_problem_for_get_and_its_line_says_so_first()
    {
        var cert = ExpiredLeaf("expired-get.example.test");

        var outcome = await CliRunner.RunAsync("get", cert);

        Assert.True(outcome.ExitCode == ExitCodes.ResponderFailed, outcome.ToString());
        Assert.StartsWith($"{cert}: CERTIFICATE EXPIRED; good, verified", outcome.StdOut);
        Assert.Equal(ExitCodes.ResponderFailed, (await CliRunner.RunAsync("get", cert, "--json")).Json.GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task An_expired_certificate_is_a_problem_for_test_of_its_staple_file()
    {
        var cert = ExpiredLeaf("expired-test.example.test");
        using var dir = new TempDirectory();
        var staple = dir.File("site.der");
        using (var fetcher = new StapleFetcher())
            File.WriteAllBytes(staple, (await fetcher.FetchAsync(CertificateFile.Load(cert), FetchOptions.Default)).Response.RawData);

        var outcome = await CliRunner.RunAsync("test", staple, "--cert", cert);

        Assert.True(outcome.ExitCode == ExitCodes.ResponderFailed, outcome.ToString());
        Assert.Contains(": CERTIFICATE EXPIRED; good, verified", outcome.StdOut.Split('\n')[0]);
    }

    [Fact]
    public async Task A_response_status_rfc_6960_does_not_define_is_a_malformed_staple_not_a_responder_answer()
    {
        using var dir = new TempDirectory();
        var staple = dir.File("status8.der");
        File.WriteAllBytes(staple, new byte[] { 0x30, 0x03, 0x0a, 0x01, 0x08 });

        var outcome = await CliRunner.RunAsync("test", staple, "--cert", _lab.GoodLeaf("status8.example.test"));

        Assert.Equal(ExitCodes.Usage, outcome.ExitCode);
        Assert.Contains("its responseStatus 8 is not one RFC 6960 defines", outcome.StdErr);
        Assert.DoesNotContain("responder answered", outcome.StdOut + outcome.StdErr);
    }

    [Fact]
    public async Task An_https_failure_names_its_cause_not_see_inner_exception()
    {
        // A plain-HTTP server where the URL says https: the TLS handshake fails.
        await using var plain = OneShotServer.Start(async stream =>
        {
            await stream.ReadAsync(new byte[4096]);
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"u8.ToArray());
        });

        var outcome = await CliRunner.RunAsync("get", _lab.GoodLeaf("https-fail.example.test"), "--responder", $"https://127.0.0.1:{plain.Port}/");

        Assert.Equal(ExitCodes.ResponderFailed, outcome.ExitCode);
        Assert.Contains("The SSL connection could not be established: ", outcome.StdErr);
        Assert.DoesNotContain("inner exception", outcome.StdErr);
        Assert.Single(outcome.StdErr.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("ftp")]
    [InlineData("gopher")]
    public async Task A_redirect_to_a_scheme_other_than_http_is_refused_not_followed(string scheme)
    {
        var target = new TcpListener(IPAddress.Loopback, 0);
        target.Start();
        var reached = target.AcceptTcpClientAsync();
        await using var redirect = OneShotServer.Start(async stream =>
        {
            await stream.ReadAsync(new byte[4096]);
            var location = $"{scheme}://127.0.0.1:{((IPEndPoint)target.LocalEndpoint).Port}/ocsp";
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
        });
        try
        {
            var outcome = await CliRunner.RunAsync("get", _lab.GoodLeaf($"redirect-{scheme}.example.test"), "--responder", $"http://127.0.0.1:{redirect.Port}/", "--method", "post");

            Assert.Equal(ExitCodes.ResponderFailed, outcome.ExitCode);
            Assert.Contains($"redirected to {scheme}://127.0.0.1:", outcome.StdErr);
            Assert.Contains("only http and https are followed", outcome.StdErr);
            Assert.False(reached.IsCompleted, "the redirect target was contacted");
        }
        finally
        {
            target.Stop();
        }
    }

    [Fact]
    public void Stack_frames_and_see_inner_exception_never_reach_a_message()
    {
        var inner = new IOException("DER length more than 4 bytes: 5\n   at Org.BouncyCastle.Asn1.Asn1InputStream.ReadLength()");
        var outer = new HttpRequestException("The SSL connection could not be established, see inner exception.", inner);

        Assert.Equal("The SSL connection could not be established: DER length more than 4 bytes: 5", Engine.ExceptionWords.Of(outer));
    }

    private string ExpiredLeaf(string name)
    {
        var now = DateTimeOffset.UtcNow;
        var leaf = _lab.Pki.IssueLeaf(name, new[] { _lab.Responder.Url.ToString() }, notBefore: _lab.Pki.Issuer.NotBefore.AddMinutes(1), notAfter: now.AddMinutes(-10));
        _lab.Responder.Add(leaf);
        var dir = Directory.CreateDirectory(Path.Combine(_lab.Directory.Path, name)).FullName;
        LabFiles.WriteAll(dir, _lab.Pki, leaf);
        return Path.Combine(dir, "fullchain.pem");
    }
}
