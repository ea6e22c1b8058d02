using OcspStapling.Engine.Policy;
using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Refresh;
using OcspStapling.Engine.Store;

namespace OcspStapling.Tests.Refresh;

/// <summary>The edges of "when is a staple due": one pure function, tested without a clock or a network.</summary>
public sealed class RefreshPolicyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly RefreshPolicy _policy = RefreshPolicy.Default;

    [Fact]
    public void Due_exactly_at_half_of_the_validity_window()
    {
        var due = _policy.NextDue(fetchedAt: T0, thisUpdate: T0, nextUpdate: T0.AddDays(4));

        Assert.Equal(T0.AddDays(2), due);
        Assert.False(IsDue(Entry(T0, T0.AddDays(4), fetchedAt: T0), T0.AddDays(2).AddTicks(-1)));
        Assert.True(IsDue(Entry(T0, T0.AddDays(4), fetchedAt: T0), T0.AddDays(2)));
    }

    [Fact]
    public void Short_windows_are_refreshed_before_the_expiry_margin()
    {
        // 90 minutes of validity: half-life is at 45 min, but nextUpdate − 1 h margin comes first, at 30 min.
        Assert.Equal(T0.AddMinutes(30), _policy.NextDue(T0, T0, T0.AddMinutes(90)));
    }

    [Fact]
    public void Never_sooner_than_the_minimum_interval_unless_that_would_let_it_lapse()
    {
        Assert.Equal(T0.AddMinutes(5), _policy.NextDue(T0, T0, T0.AddMinutes(20)));
        // Valid 3 more minutes: refetched at half of that, before it lapses, not at once and not in a loop.
        Assert.Equal(T0.AddSeconds(90), _policy.NextDue(T0, T0, T0.AddMinutes(3)));
        Assert.Equal(T0.AddSeconds(90), _policy.NextDue(T0, T0.AddMinutes(-10), T0.AddMinutes(3))); // what is left counts
    }

    [Fact]
    public void Even_staples_valid_seconds_are_not_fetched_more_often_than_the_shortest_interval()
    {
        Assert.Equal(T0.AddSeconds(30), _policy.NextDue(T0, T0, T0.AddSeconds(20)));
        Assert.Equal(T0.AddSeconds(30), _policy.NextDueSpread(T0, T0, T0.AddSeconds(20), spreadKey: 0.99));
        var fetches = 0;
        for (var at = T0; at < T0.AddHours(1); at = _policy.NextDue(at, at, at.AddSeconds(5)))
            fetches++;
        Assert.Equal(120, fetches); // an hour of 5-second staples: one fetch per 30 s, not thousands
    }

    [Fact]
    public void Without_next_update_the_maximum_age_applies()
    {
        Assert.Equal(T0.AddHours(1), _policy.NextDue(T0, T0.AddMinutes(-10), nextUpdate: null));
    }

    [Fact]
    public void Already_past_next_update_is_due_at_once()
    {
        Assert.Equal(T0, _policy.NextDue(T0, T0.AddDays(-3), T0.AddDays(-1)));
        Assert.True(IsDue(Entry(T0.AddDays(-3), T0.AddDays(-1), fetchedAt: T0.AddDays(-3)), T0));
    }

    [Fact]
    public void A_responder_clock_ahead_of_ours_delays_the_half_life_by_the_skew_only()
    {
        // thisUpdate 3 minutes in our future: the window still counts from thisUpdate.
        var due = _policy.NextDue(fetchedAt: T0, thisUpdate: T0.AddMinutes(3), nextUpdate: T0.AddMinutes(3).AddDays(4));
        Assert.Equal(T0.AddMinutes(3).AddDays(2), due);
    }

    [Fact]
    public void A_missing_entry_is_due_now_and_a_failed_one_waits_for_its_retry()
    {
        Assert.True(IsDue(null, T0));
        var failed = new StoreEntry("ab", null, (OcspResponse?)null, new StapleMetadata { Thumbprint = "ab", Subject = "CN=x", FailureCount = 2, NextRefresh = T0.AddMinutes(2) });
        Assert.False(IsDue(failed, T0.AddMinutes(1)));
        Assert.True(IsDue(failed, T0.AddMinutes(2)));
    }

    [Fact]
    public void Retry_delay_doubles_from_one_minute_up_to_the_cap()
    {
        var exact = _policy with { Jitter = 0 };
        Assert.Equal(TimeSpan.FromMinutes(1), exact.RetryDelay(1));
        Assert.Equal(TimeSpan.FromMinutes(2), exact.RetryDelay(2));
        Assert.Equal(TimeSpan.FromMinutes(32), exact.RetryDelay(6));
        Assert.Equal(TimeSpan.FromHours(1), exact.RetryDelay(40));
        var jittered = Enumerable.Range(0, 50).Select(_ => _policy.RetryDelay(3).TotalSeconds).ToList();
        Assert.All(jittered, s => Assert.InRange(s, 240 * 0.8, 240 * 1.2));
        Assert.True(jittered.Distinct().Count() > 1, "retries are spread, not in step");
    }

    [Fact]
    public void Without_a_valid_staple_retries_are_capped_at_five_minutes_with_jitter()
    {
        var exact = _policy with { Jitter = 0 };
        Assert.Equal(TimeSpan.FromMinutes(32), exact.RetryDelay(6, stapling: true));
        Assert.Equal(TimeSpan.FromMinutes(5), exact.RetryDelay(6, stapling: false));
        Assert.Equal(TimeSpan.FromMinutes(2), exact.RetryDelay(2, stapling: false)); // below the cap, unchanged
        var jittered = Enumerable.Range(0, 50).Select(_ => _policy.RetryDelay(20, stapling: false).TotalSeconds).ToList();
        Assert.All(jittered, s => Assert.InRange(s, 300 * 0.8, 300));
        Assert.True(jittered.Distinct().Count() > 1, "capped retries are still spread");
    }

    private static StoreEntry Entry(DateTimeOffset thisUpdate, DateTimeOffset? nextUpdate, DateTimeOffset fetchedAt)
    {
        var answer = new SingleResponse(null!, CertStatus.Good, thisUpdate, nextUpdate, null, null);
        var response = new OcspResponse(Array.Empty<byte>(), OcspResponseStatus.Successful, thisUpdate, null, new[] { answer },
            Array.Empty<System.Security.Cryptography.X509Certificates.X509Certificate2>(), null, null);
        return new StoreEntry("ab", new byte[] { 1 }, response, new StapleMetadata { Thumbprint = "ab", Subject = "CN=x", FetchedAt = fetchedAt });
    }

    private bool IsDue(StoreEntry? entry, DateTimeOffset now) =>
        StaplePolicy.Judge(StapleFacts.OfEntryAlone(entry, now), _policy).IsDue(now);
}
