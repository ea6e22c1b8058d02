namespace OcspStapling.Engine.Refresh;

/// <summary>
/// When a staple is due for refresh. Defaults, beside the anchors (see about_OcspStapling):
/// due at half of thisUpdate→nextUpdate (Caddy: 50 %), no later than nextUpdate − 1 h margin (nginx: −5 min,
/// HAProxy: −6 min), no sooner than 5 min after the fetch (nginx, HAProxy: 5 min), or for staples valid less than
/// 10 min, half of what is left of them but never sooner than 30 s; without nextUpdate, refetch after 1 h (nginx and
/// Apache cache such answers 1 h). After failures, 1 min × 2^(n−1) with ±20 % jitter, capped at 1 h (HAProxy:
/// 60 s × 2^n) while a valid staple is still served, and at 5 min when none is.
/// </summary>
public sealed record RefreshPolicy
{
    public static readonly RefreshPolicy Default = new();

    /// <summary>Fraction of the validity window after which a staple is due (0.5 = half-life).</summary>
    public double DueFraction { get; init; } = 0.5;

    /// <summary>Refresh at least this long before nextUpdate, so a slow responder cannot let the staple lapse.</summary>
    public TimeSpan ExpiryMargin { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Never refetch sooner than this after a successful fetch, unless the staple would lapse first.</summary>
    public TimeSpan MinimumInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The least time between two fetches for one certificate, even for staples valid only minutes: a responder that
    /// signs very short-lived answers is asked at half their remaining life, never in a tight loop.
    /// </summary>
    public TimeSpan ShortestInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a response without nextUpdate is kept before refetching.</summary>
    public TimeSpan MaxAgeWithoutNextUpdate { get; init; } = TimeSpan.FromHours(1);

    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromMinutes(1);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The retry cap while no valid staple is served: a responder back from an outage is noticed within minutes.</summary>
    public TimeSpan MaxRetryDelayWithoutStaple { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Spread of the retry delay either side, so many refreshers do not retry in step.</summary>
    public double Jitter { get; init; } = 0.2;

    /// <summary>
    /// How far before its due time each certificate's refresh is brought forward, as a fraction of the wait, by a
    /// key of its own: sites first fetched together (a new host, a restored store) do not all come due together again.
    /// </summary>
    public double Spread { get; init; } = 0.2;

    /// <summary>
    /// <see cref="NextDue"/>, brought forward by up to <see cref="Spread"/> of the wait by <paramref name="spreadKey"/>
    /// (in [0, 1), fixed per certificate), never below the minimum interval.
    /// </summary>
    public DateTimeOffset NextDueSpread(DateTimeOffset fetchedAt, DateTimeOffset thisUpdate, DateTimeOffset? nextUpdate, double spreadKey)
    {
        var due = NextDue(fetchedAt, thisUpdate, nextUpdate);
        var floor = fetchedAt + ShortestWait(fetchedAt, nextUpdate);
        if (due <= floor)
            return due;
        var early = due - TimeSpan.FromTicks((long)((due - fetchedAt).Ticks * Spread * Math.Clamp(spreadKey, 0, 1)));
        return early > floor ? early : floor;
    }

    /// <summary>When a staple fetched at <paramref name="fetchedAt"/> with this window is next due.</summary>
    public DateTimeOffset NextDue(DateTimeOffset fetchedAt, DateTimeOffset thisUpdate, DateTimeOffset? nextUpdate)
    {
        if (nextUpdate is not { } next)
            return Later(fetchedAt + MaxAgeWithoutNextUpdate, fetchedAt + MinimumInterval);
        if (next <= fetchedAt)
            return fetchedAt; // already expired when fetched: due at once, the caller's backoff paces retries
        var window = next - thisUpdate;
        var halfLife = thisUpdate + TimeSpan.FromTicks((long)(window.Ticks * DueFraction));
        var beforeExpiry = next - ExpiryMargin;
        var due = halfLife < beforeExpiry ? halfLife : beforeExpiry;
        var floor = fetchedAt + ShortestWait(fetchedAt, next);
        return due >= floor ? due : floor;
    }

    /// <summary>
    /// The least wait after a fetch: the minimum interval, shortened for a staple that would lapse before it ends to
    /// half of the staple's remaining life, but never below <see cref="ShortestInterval"/>.
    /// </summary>
    private TimeSpan ShortestWait(DateTimeOffset fetchedAt, DateTimeOffset? nextUpdate)
    {
        if (nextUpdate is not { } next || next - fetchedAt >= MinimumInterval * 2)
            return MinimumInterval;
        var half = TimeSpan.FromTicks(Math.Max(0, (next - fetchedAt).Ticks / 2));
        var wait = half > ShortestInterval ? half : ShortestInterval;
        return wait < MinimumInterval ? wait : MinimumInterval;
    }

    /// <summary>
    /// The delay before retry number <paramref name="failures"/> (1 for the first failure), capped lower while no
    /// valid staple is <paramref name="stapling"/>: then every minute without one is a minute clients go without.
    /// </summary>
    public TimeSpan RetryDelay(int failures, bool stapling = true, Random? random = null)
    {
        var cap = stapling || MaxRetryDelay < MaxRetryDelayWithoutStaple ? MaxRetryDelay : MaxRetryDelayWithoutStaple;
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var delay = Math.Min(FirstRetryDelay.TotalSeconds * Math.Pow(2, exponent), cap.TotalSeconds);
        var spread = 1 + ((random ?? Random.Shared).NextDouble() * 2 - 1) * Jitter;
        return TimeSpan.FromSeconds(Math.Min(delay * spread, cap.TotalSeconds));
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
