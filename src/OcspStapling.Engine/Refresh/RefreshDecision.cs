using OcspStapling.Engine.Store;

namespace OcspStapling.Engine.Refresh;

/// <summary>"Is this entry due?": one pure function of (stored staple, its metadata, now), so its edges can be tested.</summary>
public static class RefreshDecision
{
    /// <summary>When the entry is next due; due now when the result is at or before <paramref name="now"/>.</summary>
    public static DateTimeOffset NextDue(StoreEntry? entry, RefreshPolicy policy, DateTimeOffset now)
    {
        // A retry scheduled after a failure stands, even for a missing or expired staple: that is the backoff.
        if (entry?.Metadata is { NextRefresh: { } scheduled, FailureCount: > 0 })
            return scheduled;
        if (entry?.Answer is not { } answer)
            return now;
        if (entry.Metadata?.NextRefresh is { } planned)
            return planned;
        var fetchedAt = entry.Metadata?.FetchedAt ?? answer.ThisUpdate;
        return policy.NextDue(fetchedAt, answer.ThisUpdate, answer.NextUpdate);
    }

    public static bool IsDue(StoreEntry? entry, RefreshPolicy policy, DateTimeOffset now) => NextDue(entry, policy, now) <= now;
}
