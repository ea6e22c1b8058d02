namespace OcspStapling.Engine.Refresh;

/// <summary>
/// When a staple is due for refresh. Defaults, beside the anchors (see about_OcspStapling):
/// due at half of thisUpdate→nextUpdate (Caddy: 50 %), no later than nextUpdate − 1 h margin (nginx: −5 min,
/// HAProxy: −6 min), no sooner than 5 min after the fetch (nginx, HAProxy: 5 min); without nextUpdate, refetch after 1 h
/// (nginx and Apache cache such answers 1 h). After failures, 1 min × 2^(n−1) with ±20 % jitter, capped at 1 h
/// (HAProxy: 60 s × 2^n).
/// </summary>
public sealed record RefreshPolicy
{
    public static readonly RefreshPolicy Default = new();

    /// <summary>Fraction of the validity window after which a staple is due (0.5 = half-life).</summary>
    public double DueFraction { get; init; } = 0.5;

    /// <summary>Refresh at least this long before nextUpdate, so a slow responder cannot let the staple lapse.</summary>
    public TimeSpan ExpiryMargin { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Never refetch sooner than this after a successful fetch, whatever the window says.</summary>
    public TimeSpan MinimumInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a response without nextUpdate is kept before refetching.</summary>
    public TimeSpan MaxAgeWithoutNextUpdate { get; init; } = TimeSpan.FromHours(1);

    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromMinutes(1);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromHours(1);

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
        var floor = fetchedAt + MinimumInterval;
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
        // The floor never pushes past expiry: a short-lived staple is refetched before it lapses, however soon.
        var floor = fetchedAt + MinimumInterval;
        return due >= floor ? due : floor < next ? floor : fetchedAt;
    }

    /// <summary>The delay before retry number <paramref name="failures"/> (1 for the first failure).</summary>
    public TimeSpan RetryDelay(int failures, Random? random = null)
    {
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var delay = Math.Min(FirstRetryDelay.TotalSeconds * Math.Pow(2, exponent), MaxRetryDelay.TotalSeconds);
        var spread = 1 + ((random ?? Random.Shared).NextDouble() * 2 - 1) * Jitter;
        return TimeSpan.FromSeconds(Math.Min(delay * spread, MaxRetryDelay.TotalSeconds));
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
