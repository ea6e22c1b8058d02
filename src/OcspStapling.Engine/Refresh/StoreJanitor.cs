using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Store;

namespace OcspStapling.Engine.Refresh;

/// <summary>
/// Removes store entries that no site of the run has any more (certificates renewed or retired), once they are of
/// no use: their staple has expired, or they never had one and nothing has tried them for a day. Entries that
/// other runs over other directories keep fresh are never touched, since theirs have not expired.
/// </summary>
internal static class StoreJanitor
{
    private static readonly TimeSpan UntriedFor = TimeSpan.FromDays(1);

    /// <param name="inUse">The certificates of the run's sites (<see cref="ThumbprintKey"/>).</param>
    public static async Task<int> RemoveOrphansAsync(IStapleStore store, IReadOnlySet<UInt128> inUse, DateTimeOffset now, IOperationLog log, CancellationToken cancel)
    {
        var removed = 0;
        foreach (var thumbprint in store.EnumerateThumbprints())
        {
            // Look before locking: entries other runs keep fresh are read, never locked; a removable one is read again under the lock.
            if (inUse.Contains(ThumbprintKey.Of(thumbprint)) || store.Read(thumbprint) is not { } seen || !IsOfNoUse(seen, now))
                continue;
            using var held = await store.LockAsync(thumbprint, TimeSpan.FromSeconds(5), cancel).ConfigureAwait(false);
            var entry = store.Read(thumbprint);
            if (entry == null || !IsOfNoUse(entry, now))
                continue;
            store.Delete(thumbprint);
            removed++;
            log.Verbose($"Removed the store entry of {entry.Metadata?.Subject ?? thumbprint}: no site has that certificate any more and its staple has expired.");
        }
        return removed;
    }

    private static bool IsOfNoUse(StoreEntry entry, DateTimeOffset now) =>
        entry.Answer != null
            ? !entry.HasValidStaple(now)
            : (entry.Metadata?.LastAttempt ?? DateTimeOffset.MinValue) < now - UntriedFor;
}
