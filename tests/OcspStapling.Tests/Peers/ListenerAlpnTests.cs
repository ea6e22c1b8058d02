using OcspStapling.Engine;
using OcspStapling.Engine.Tls;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Peers;

/// <summary>ALPN on both TLS fronts, as OpenSSL's client negotiates it: our preference wins, the status page says what was chosen.</summary>
public sealed class ListenerAlpnTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public ListenerAlpnTests(LabResponderFixture lab) => _lab = lab;

    [PeerTheory("openssl")]
    [InlineData(ListenerTls.OpenSsl)]
    [InlineData(ListenerTls.SslStream)]
    public async Task The_first_offered_protocol_the_client_also_speaks_is_chosen_and_shown(ListenerTls tls)
    {
        var site = LabSite.Of(_lab.GoodLeaf($"alpn-{tls}.example.test".ToLowerInvariant()));
        await using var listener = await StaplingListener.StartAsync(ListenerFiles.Options(site.Path) with
        {
            Tls = tls,
            Alpn = AlpnWire.Parse("h2, http/1.1", "--alpn"),
        });

        var both = await SClient.RequestAsync(listener.Endpoint.Port, "-tls1_3", "-alpn", "http/1.1,h2", "-servername", site.Name);
        Assert.Contains("ALPN protocol: h2", both.StdOut); // the server's preference, not the client's order
        Assert.Contains("application protocol (ALPN): h2 (offered h2, http/1.1)", both.StdOut);

        var old = await SClient.RequestAsync(listener.Endpoint.Port, "-tls1_2", "-alpn", "http/1.1", "-servername", site.Name);
        Assert.Contains("ALPN protocol: http/1.1", old.StdOut);
        Assert.Contains("application protocol (ALPN): http/1.1", old.StdOut);

        var stranger = await SClient.RequestAsync(listener.Endpoint.Port, "-tls1_3", "-alpn", "spdy/1", "-servername", site.Name);
        Assert.Contains("no application protocol", stranger.All); // RFC 7301's fatal alert, as nginx sends
        Assert.DoesNotContain("OcspStapling listener", stranger.StdOut);
    }

    [Theory]
    [InlineData("h2,")]
    [InlineData("h 2")]
    public void A_protocol_name_ALPN_cannot_carry_is_refused_by_name(string list)
    {
        var error = Assert.Throws<StaplingException>(() => AlpnWire.Parse(list, "--alpn"));
        Assert.Contains($"--alpn '{list}'", error.Message);
    }
}
