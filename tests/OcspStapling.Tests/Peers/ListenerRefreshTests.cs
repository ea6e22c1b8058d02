using OcspStapling.Engine.Lab;
using OcspStapling.Engine.Refresh;
using OcspStapling.Engine.Tls;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Peers;

/// <summary>
/// The listener's refreshes, decided by the same policy as update's: staples valid for seconds are not fetched in a
/// loop, and after an outage with no staple to serve, retries are capped so the responder's return is noticed soon.
/// </summary>
public sealed class ListenerRefreshTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public ListenerRefreshTests(LabResponderFixture lab) => _lab = lab;

    [PeerFact("openssl")]
    public async Task Staples_valid_for_seconds_are_refetched_at_half_their_life_not_in_a_loop()
    {
        var site = LabSite.Of(_lab.GoodLeaf("shortlived.example.test"));
        _lab.Responder.Validity = TimeSpan.FromSeconds(4);
        try
        {
            var before = _lab.Responder.RequestCount;
            // The floor is scaled down from 30 s so the test takes seconds; the arithmetic is the production one.
            await using var listener = await StaplingListener.StartAsync(ListenerFiles.Options(site.Path) with
            {
                Refresh = RefreshPolicy.Default with { ShortestInterval = TimeSpan.FromSeconds(1) },
            });
            await Task.Delay(TimeSpan.FromSeconds(6));
            var requests = _lab.Responder.RequestCount - before;

            // Half of 4 s each time: about 4 fetches in 6 s (a loop would make hundreds), and still stapling.
            Assert.InRange(requests, 3, 6);
            var seen = await SClient.StatusAsync(listener.Endpoint.Port, site.CaFile, site.Name);
            Assert.Contains("Cert Status: good", seen.StdOut);
        }
        finally
        {
            _lab.Responder.Validity = TimeSpan.FromDays(4);
        }
    }

    [PeerFact("openssl")]
    public async Task After_an_outage_without_a_staple_the_responder_s_return_is_noticed_within_the_retry_cap()
    {
        var site = LabSite.Of(_lab.GoodLeaf("outage-return.example.test"));
        _lab.Responder.Fault = LabFault.Http500;
        // Doubling from 200 ms would next try about 4 s after the outage below ends; the cap (scaled from 5 min) is 1 s.
        var policy = RefreshPolicy.Default with { FirstRetryDelay = TimeSpan.FromMilliseconds(200), MaxRetryDelayWithoutStaple = TimeSpan.FromSeconds(1) };
        await using var listener = await StaplingListener.StartAsync(ListenerFiles.Options(site.Path) with { Refresh = policy });
        try
        {
            Assert.Null(listener.Staple);
            var before = _lab.Responder.RequestCount;
            await Task.Delay(TimeSpan.FromSeconds(8));
            // About 9 capped attempts, each of which may ask twice (GET, then POST): neither hammered nor starved.
            Assert.InRange(_lab.Responder.RequestCount - before, 6, 28);
        }
        finally
        {
            _lab.Responder.Fault = LabFault.None;
        }
        var back = DateTime.UtcNow;
        await Eventually.ValueOf(() => listener.Staple, s => s != null, timeoutMs: 5000);
        Assert.InRange(DateTime.UtcNow - back, TimeSpan.Zero, TimeSpan.FromSeconds(2));
        var seen = await SClient.StatusAsync(listener.Endpoint.Port, site.CaFile, site.Name);
        Assert.Contains("Cert Status: good", seen.StdOut);
    }
}
