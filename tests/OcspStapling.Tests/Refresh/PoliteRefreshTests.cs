using System.Diagnostics;
using OcspStapling.Cli;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Refresh;

/// <summary>
/// Many certificates, one CA: `update` keeps few requests in flight per responder host, slows a host down when it
/// says "too many" (HTTP 429 with Retry-After, tryLater) instead of failing every certificate, gives up on a host
/// that stays busy, and spreads the next refreshes of sites fetched together.
/// </summary>
public sealed class PoliteRefreshTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public PoliteRefreshTests(LabResponderFixture lab) => _lab = lab;

    [Fact]
    public async Task A_rate_limited_responder_is_slowed_down_and_every_site_is_still_stapled()
    {
        using var dir = new TempDirectory();
        var sites = _lab.SiteDirectory("ratelimited", 16);
        _lab.Responder.RateLimitPerSecond = 6;
        CliOutcome run;
        try
        {
            run = await CliRunner.RunAsync("update", sites, "--store", dir.File("store"), "--concurrency", "8", "--json");
        }
        finally
        {
            _lab.Responder.RateLimitPerSecond = null;
        }

        Assert.True(run.ExitCode == ExitCodes.Good, run.ToString());
        Assert.Equal(16, run.Sites.Count(s => s.GetProperty("state").GetString() == "stapled"));
        Assert.InRange(_lab.Responder.RateLimitedCount, 1, 8); // it did hit the limit, and then mostly kept to it
    }

    [Fact]
    public async Task Requests_in_flight_to_one_responder_are_capped_whatever_the_concurrency()
    {
        using var dir = new TempDirectory();
        var sites = _lab.SiteDirectory("capped", 12);
        _lab.Responder.Latency = TimeSpan.FromMilliseconds(150);
        CliOutcome run;
        int maxInFlight;
        try
        {
            run = await CliRunner.RunAsync("update", sites, "--store", dir.File("store"), "--concurrency", "12", "--responder-concurrency", "2");
            maxInFlight = _lab.Responder.MaxInFlight;
        }
        finally
        {
            _lab.Responder.Latency = TimeSpan.Zero;
        }

        Assert.True(run.ExitCode == ExitCodes.Good, run.ToString());
        Assert.Equal(2, maxInFlight);
    }

    [Fact]
    public async Task A_responder_that_answers_try_later_is_asked_again_after_a_pause()
    {
        var cert = _lab.GoodLeaf("trylater-twice.example.test");
        _lab.Responder.TryLaterFirst = 2;
        var before = _lab.Responder.RequestCount;

        var get = await CliRunner.RunAsync("get", cert, "-v");

        Assert.True(get.ExitCode == ExitCodes.Good, get.ToString());
        Assert.Equal(before + 3, _lab.Responder.RequestCount);
        Assert.Contains("asked to be asked later", get.StdErr);
    }

    [Fact]
    public async Task A_responder_that_stays_busy_is_given_up_for_the_run_and_not_hammered()
    {
        using var dir = new TempDirectory();
        var sites = _lab.SiteDirectory("busy", 6);
        _lab.Responder.RateLimitPerSecond = 0;
        _lab.Responder.RateLimitRetryAfterSeconds = 3600;
        var before = _lab.Responder.RequestCount;
        var clock = Stopwatch.StartNew();
        CliOutcome run;
        try
        {
            run = await CliRunner.RunAsync("update", sites, "--store", dir.File("store"), "--responder-concurrency", "1");
        }
        finally
        {
            _lab.Responder.RateLimitPerSecond = null;
            _lab.Responder.RateLimitRetryAfterSeconds = 1;
        }

        Assert.Equal(ExitCodes.ResponderFailed, run.ExitCode);
        Assert.Equal(1, _lab.Responder.RequestCount - before); // asked once; the hour it asked for is past the run's patience
        Assert.Contains("kept asking to be asked later", run.StdOut);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Sites_fetched_together_come_due_at_different_times()
    {
        using var dir = new TempDirectory();
        var sites = _lab.SiteDirectory("spread", 40);

        var run = await CliRunner.RunAsync("update", sites, "--store", dir.File("store"), "--json");

        Assert.True(run.ExitCode == ExitCodes.Good, run.ToString());
        var waits = run.Sites.Select(s => s.GetProperty("nextRefresh").GetDateTimeOffset() - s.GetProperty("thisUpdate").GetDateTimeOffset()).ToList();
        var halfLife = _lab.Responder.Validity / 2;
        Assert.All(waits, w => Assert.InRange(w, halfLife * 0.8 - TimeSpan.FromMinutes(1), halfLife + TimeSpan.FromMinutes(1)));
        Assert.True(waits.Max() - waits.Min() > halfLife * 0.1, $"spread only {waits.Max() - waits.Min()}");
        Assert.True(waits.Distinct().Count() > 30);
    }
}
