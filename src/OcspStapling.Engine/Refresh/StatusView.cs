using OcspStapling.Engine.Certificates;
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
    public static IReadOnlyList<RefreshSummary> Read(DiscoveredSites discovered, IStapleStore store, RefreshOptions options, DateTimeOffset now)
    {
        var summaries = new List<RefreshSummary>();
        Read(discovered, store, options, now, summaries.Add);
        return summaries;
    }

    /// <summary>Hands each summary to <paramref name="report"/> as its batch of sites is read: sites, then store-only entries, then unreadable files.</summary>
    public static void Read(ISiteSource sites, IStapleStore store, RefreshOptions options, DateTimeOffset now, Action<RefreshSummary> report)
    {
        // Asked for the store alone and there is none: a mistyped path would otherwise look like an empty, healthy store.
        if (sites.ExpectedCount == 0 && sites.Unreadable.Count == 0 && !store.Exists)
        {
            throw new StaplingException(FailureReason.InvalidArgument, store.Location,
                $"The staple store '{store.Location}' does not exist; name the store the refresh uses, or the certificates to show.");
        }
        // `status PATH` judges the sites under PATH, as `update PATH` does; `status` alone judges the store's entries.
        var asksForStoreAlone = sites.ExpectedCount == 0 && sites.Unreadable.Count == 0;
        var shown = new HashSet<UInt128>();
        foreach (var batch in sites.Batches())
        {
            var summaries = new RefreshSummary[batch.Count];
            try
            {
                Parallel.For(0, batch.Count, i =>
                {
                    var entry = store.Read(batch[i].Thumbprint);
                    summaries[i] = SiteReport.Of(batch[i], entry, options.Judge(options.FactsFor(batch[i], entry, now))) with { Outcome = RefreshOutcome.NotFetched };
                });
            }
            catch (AggregateException e) when (e.InnerExceptions.FirstOrDefault(i => i is StaplingException) is StaplingException failure)
            {
                // A store that cannot be read (Redis away) is one clear error, not an aggregate of the same one per site.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
            }
            foreach (var (site, summary) in batch.Zip(summaries))
            {
                shown.Add(ThumbprintKey.Of(site.Thumbprint));
                report(summary);
            }
        }
        foreach (var thumbprint in store.Thumbprints().Where(t => !shown.Contains(ThumbprintKey.Of(t))))
        {
            if (store.Read(thumbprint) is { } entry)
                report(OfEntry(thumbprint, entry, options, now) with { OutsideRun = !asksForStoreAlone });
        }
        foreach (var unreadable in sites.Unreadable)
            report(RefreshSummary.ForUnreadable(unreadable.Target ?? "", unreadable.Message));
    }

    private static RefreshSummary OfEntry(string thumbprint, StoreEntry entry, RefreshOptions options, DateTimeOffset now)
    {
        var facts = StapleFacts.OfEntryAlone(entry, now) with { RunInterval = options.RunInterval };
        var verdict = options.Judge(facts);
        return new RefreshSummary
        {
            // Named by its certificate, never by a path: after a renewal the path holds another certificate.
            Site = thumbprint,
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
