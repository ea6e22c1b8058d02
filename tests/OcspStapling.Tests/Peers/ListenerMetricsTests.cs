using System.Net;
using System.Net.Sockets;
using OcspStapling.Engine.Tls;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Peers;

/// <summary>The listener's Prometheus endpoint, scraped over HTTP as Prometheus would, after real handshakes.</summary>
public sealed class ListenerMetricsTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public ListenerMetricsTests(LabResponderFixture lab) => _lab = lab;

    [PeerFact("openssl")]
    public async Task Metrics_count_handshakes_and_show_each_certificate_s_staple()
    {
        var stapled = LabSite.Of(_lab.GoodLeaf("metrics-good.example.test"));
        var noOcsp = LabSite.Of(_lab.GoodLeaf("metrics-noocsp.example.test", ocspUrls: Array.Empty<string>()));
        await using var listener = await StaplingListener.StartAsync(ListenerFiles.Options(stapled.Path) with
        {
            Certificates = [stapled.Served, noOcsp.Served],
            Metrics = new IPEndPoint(IPAddress.Loopback, 0),
        });
        await SClient.StatusAsync(listener.Endpoint.Port, stapled.CaFile, stapled.Name);
        await SClient.StatusAsync(listener.Endpoint.Port, stapled.CaFile, noOcsp.Name);

        // A scraper that connects and says nothing does not hold up the next one.
        using var silent = new TcpClient();
        await silent.ConnectAsync(listener.MetricsEndpoint!);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var text = await http.GetStringAsync($"http://{listener.MetricsEndpoint}/metrics");

        Assert.Contains("ocspstaple_listener_handshakes_total 2\n", text);
        Assert.Contains("ocspstaple_listener_stapled_handshakes_total 1\n", text); // the certificate without OCSP has none
        // The labels update's textfile uses (site, SHA-256 thumbprint in lower case), so the two join.
        var good = $"site=\"{stapled.Served.Site}\",thumbprint=\"{Engine.Certificates.CertificateSummary.ThumbprintOf(stapled.Served.Certificate)}\"";
        var none = $"site=\"{noOcsp.Served.Site}\",thumbprint=\"{Engine.Certificates.CertificateSummary.ThumbprintOf(noOcsp.Served.Certificate)}\"";
        Assert.Contains($"ocspstaple_staple_valid{{{good}}} 1\n", text);
        Assert.DoesNotContain($"ocspstaple_staple_valid{{{none}}}", text); // nothing to staple is not a missing staple
        Assert.Contains($"ocspstaple_staple_expiry_timestamp_seconds{{{good}}} {listener.Sites[0].Staple!.NextUpdate!.Value.ToUnixTimeSeconds()}\n", text);
        Assert.Contains($"ocspstaple_site_state{{{good},state=\"stapled\"}} 1\n", text);
        Assert.Contains($"ocspstaple_site_state{{{none},state=\"noOcsp\"}} 1\n", text);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"http://{listener.MetricsEndpoint}/")).StatusCode);
    }
}
