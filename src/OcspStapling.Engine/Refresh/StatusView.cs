using OcspStapling.Engine.Policy;
using OcspStapling.Engine.Sites;
using OcspStapling.Engine.Store;

namespace OcspStapling.Engine.Refresh;

/// <summary>
/// The sites and the store as they are, without fetching, locking or writing anything (status, Get-OcspStaple):
/// each site judged by the same policy as a refresh run, then the store entries no site given has.
/// </summary>
public static class StatusView
{
    public static IReadOnlyList<RefreshSummary> Read(DiscoveredSites discovered, StapleStore store, RefreshOptions options, DateTimeOffset now)
    {
        // Asked for the store alone and there is none: a mistyped path would otherwise look like an empty, healthy store.
        if (discovered.Sites.Count == 0 && discovered.Unreadable.Count == 0 && !Directory.Exists(store.Directory))
        {
            throw new StaplingException(FailureReason.InvalidArgument, store.Directory,
                $"The staple store '{store.Directory}' does not exist; name the store the refresh uses, or the certificates to show.");
        }
        var summaries = new List<RefreshSummary>();
        foreach (var site in discovered.Sites)
        {
            var entry = store.Read(site.Thumbprint);
            summaries.Add(SiteReport.Of(site, entry, options.Judge(options.FactsFor(site, entry, now))) with { Outcome = RefreshOutcome.NotFetched });
        }
        var shown = discovered.Sites.Select(s => s.Thumbprint).ToHashSet(StringComparer.Ordinal);
        foreach (var thumbprint in store.Thumbprints().Where(t => !shown.Contains(t)))
        {
            if (store.Read(thumbprint) is { } entry)
                summaries.Add(OfEntry(thumbprint, entry, options, now));
        }
        summaries.AddRange(discovered.Unreadable.Select(e => RefreshSummary.ForUnreadable(e.Target ?? "", e.Message)));
        return summaries;
    }

    private static RefreshSummary OfEntry(string thumbprint, StoreEntry entry, RefreshOptions options, DateTimeOffset now)
    {
        var facts = StapleFacts.OfEntryAlone(entry, now) with { RunInterval = options.RunInterval };
        var verdict = options.Judge(facts);
        return new RefreshSummary
        {
            Site = entry.Metadata?.CertificatePath ?? entry.Metadata?.Subject ?? thumbprint,
            Subject = entry.Metadata?.Subject ?? "",
            CertificatePath = entry.Metadata?.CertificatePath,
            Thumbprint = thumbprint,
            State = verdict.State,
            Severity = verdict.Severity,
            Outcome = RefreshOutcome.NotFetched,
            Reason = entry.Metadata?.LastError,
            CertStatus = entry.Answer?.CertStatus,
            ThisUpdate = entry.Answer?.ThisUpdate,
            NextUpdate = entry.Answer?.NextUpdate,
            NextRefresh = verdict.FetchAt,
            HasValidStaple = verdict.HasValidStaple,
        };
    }
}
