using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Delivery;
using OcspStapling.Engine.Files;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Policy;
using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Sites;
using OcspStapling.Engine.Store;

namespace OcspStapling.Engine.Refresh;

/// <summary>
/// Refreshes the staples of many sites that <see cref="StaplePolicy"/> finds due, with bounded concurrency, keeping
/// every valid staple until a better one is in hand; then brings this host's sinks in step with the store whoever
/// fetched (export files, then HAProxy and the reload command, each by what it last delivered here), and removes
/// store entries no site needs any more.
/// </summary>
public sealed class StapleRefresher : IDisposable
{
    private readonly RefreshOptions _options;
    private readonly StapleFetcher _fetcher;
    private readonly IOperationLog _log;
    private readonly SiteExport _export;

    public StapleRefresher(RefreshOptions options, IOperationLog? log = null)
    {
        _options = options;
        _log = log ?? SilentLog.Instance;
        _fetcher = new StapleFetcher(options.Transport);
        _export = new SiteExport(options.ExportDirectory, options.ExportBesideCertificate);
    }

    /// <summary>For certificates without a site layout (the pipeline, a certificate store): each is a site of its own.</summary>
    public Task<IReadOnlyList<RefreshSummary>> RefreshAsync(IReadOnlyList<CertificateBundle> certificates, IProgress<RefreshProgress>? progress = null, CancellationToken cancel = default) =>
        RefreshAsync(SiteDiscovery.FromCertificates(certificates), progress, cancel);

    /// <summary>One summary per site, then one per unreadable file.</summary>
    public async Task<IReadOnlyList<RefreshSummary>> RefreshAsync(DiscoveredSites discovered, IProgress<RefreshProgress>? progress = null, CancellationToken cancel = default)
    {
        var summaries = new List<RefreshSummary>();
        await RefreshAsync(discovered, summaries.Add, progress, cancel).ConfigureAwait(false);
        return summaries;
    }

    /// <summary>
    /// Refreshes the sites batch by batch and hands each one's summary to <paramref name="report"/>, in site order,
    /// then one per unreadable file. Summaries are handed on as their batch is done, so a run holds one batch, except
    /// that one whose staple is still to be delivered to a server (and every later one, to keep the order) waits for
    /// the delivery at the end, which may change it.
    /// </summary>
    public async Task RefreshAsync(ISiteSource source, Action<RefreshSummary> report, IProgress<RefreshProgress>? progress = null, CancellationToken cancel = default)
    {
        if (_options.ExportDirectory != null || _options.ExportBesideCertificate)
            source.CheckExportNamesAreUnique();
        if (_options.ExportDirectory is { } exportDirectory && Directory.Exists(exportDirectory))
            StaleTemporaries.Clean(exportDirectory); // the store cleans its own when opened
        var sinks = ServerSinks.For(_options.HaproxySocket, _options.ReloadCommand, _options.ReloadHiddenVariables,
            _options.DeliveryStateDirectory ?? DeliveryState.DefaultDirectory(), FilesCovered(), _log);
        var inUse = new HashSet<UInt128>();
        var held = new List<(RefreshSummary Summary, SiteDelivery Delivery)>();
        var done = 0;
        foreach (var sites in source.Batches())
        {
            var results = new (RefreshSummary Summary, SiteDelivery Delivery)[sites.Count];
            await Parallel.ForEachAsync(Enumerable.Range(0, sites.Count),
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.Concurrency), CancellationToken = cancel },
                async (i, token) =>
                {
                    results[i] = await RefreshGuardedAsync(sites[i], token).ConfigureAwait(false);
                    progress?.Report(new RefreshProgress(Interlocked.Increment(ref done), source.ExpectedCount, sites[i].Name));
                }).ConfigureAwait(false);
            for (var i = 0; i < sites.Count; i++)
            {
                inUse.Add(ThumbprintKey.Of(sites[i].Thumbprint));
                var (summary, delivery) = results[i];
                if (held.Count > 0 || sinks.Any(sink => sink.Wants(delivery)))
                    held.Add((summary, delivery));
                else
                    report(summary);
            }
        }

        if (held.Count > 0)
        {
            var summaries = held.Select(h => h.Summary).ToArray();
            var deliveries = held.Select(h => h.Delivery).ToArray();
            foreach (var sink in sinks)
            {
                foreach (var (i, problem) in await sink.DeliverAsync(deliveries, cancel).ConfigureAwait(false))
                    summaries[i] = summaries[i].DeliveryFailed(problem);
            }
            foreach (var summary in summaries)
                report(summary);
        }
        await RemoveOrphansAsync(inUse, cancel).ConfigureAwait(false);
        foreach (var unreadable in source.Unreadable)
            report(RefreshSummary.ForUnreadable(unreadable.Target ?? "", unreadable.Message));
    }

    /// <summary>
    /// One site, as a run would refresh it (fetched only when due, under the entry's lock, saved whole), without the
    /// run's deliveries and housekeeping: for a long-running process (the listener) that shares the store with update.
    /// </summary>
    public async Task<RefreshSummary> RefreshSiteAsync(Site site, CancellationToken cancel = default) =>
        (await RefreshGuardedAsync(site, cancel).ConfigureAwait(false)).Summary;

    // Part of a reload's identity on this host: two runs exporting to different places are two sets of servers.
    private string FilesCovered() =>
        $"{(_options.ExportDirectory is { } directory ? Path.GetFullPath(directory) : "")}\n{_options.ExportBesideCertificate}";

    private async Task RemoveOrphansAsync(IReadOnlySet<UInt128> inUse, CancellationToken cancel)
    {
        try
        {
            await StoreJanitor.RemoveOrphansAsync(_options.Store, inUse, DateTimeOffset.UtcNow, _log, cancel).ConfigureAwait(false);
        }
        catch (StaplingException e)
        {
            _log.Warning($"Could not tidy the staple store: {e.Message}"); // housekeeping: never fails the run
        }
    }

    // One site's failure, of whatever kind, is that site's summary: the run and its report go on.
    private async Task<(RefreshSummary Summary, SiteDelivery Delivery)> RefreshGuardedAsync(Site site, CancellationToken cancel)
    {
        try
        {
            return await RefreshOneAsync(site, cancel).ConfigureAwait(false);
        }
        catch (StaplingException e) when (e.Reason == FailureReason.StoreUnavailable)
        {
            _log.Warning($"{site.Name}: {e.Message}");
            return (StoreDown(site, e.Message), Untouched(site));
        }
        catch (StaplingException e) when (e.Reason == FailureReason.StoreLocked)
        {
            _log.Warning($"{site.Name}: {e.Message}");
            return Locked(site, e.Message);
        }
        catch (StaplingException e)
        {
            _log.Warning($"{site.Name}: {e.Message}");
            return (RefreshSummary.ForFailure(site, e.Message), Untouched(site));
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancel.IsCancellationRequested)
        {
            var reason = InternalError(e);
            _log.Warning($"{site.Name}: {reason}");
            return (RefreshSummary.ForFailure(site, reason), Untouched(site));
        }
    }

    // Nothing known to deliver: the sinks keep what they have.
    private static SiteDelivery Untouched(Site site) => new(site.Name, site.Thumbprint, null, FilesChanged: false);

    /// <summary>
    /// A site whose store could not be reached, judged by the staple its server has: the exported file, untouched. While
    /// that is valid the site is not lost (a failed refresh, a warning); without one it has no valid staple.
    /// </summary>
    private RefreshSummary StoreDown(Site site, string reason)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var target in _export.TargetsFor(site))
        {
            var exported = StoreEntry.FromStored(site.Thumbprint, ReadExport(target), null);
            var verdict = Judge(site, exported, now);
            if (exported == null || !verdict.HasValidStaple)
                continue;
            var judged = SiteReport.Of(site, exported, verdict) with { Outcome = RefreshOutcome.Failed, Reason = reason, ExportedTo = new[] { target } };
            return judged.Severity == Severity.Ok ? judged with { State = SiteState.RefreshFailed, Severity = Severity.Warning } : judged;
        }
        return RefreshSummary.ForFailure(site, reason);
    }

    /// <summary>
    /// A site whose entry another refresher kept locked: judged, like any other, by the staple the store holds (a
    /// warning while that is valid, a problem when there is none), and exported as usual.
    /// </summary>
    private (RefreshSummary, SiteDelivery) Locked(Site site, string reason)
    {
        var now = DateTimeOffset.UtcNow;
        StoreEntry? entry;
        try
        {
            entry = _options.Store.Read(site.Thumbprint);
        }
        catch (StaplingException e)
        {
            return (RefreshSummary.ForFailure(site, $"{reason} {e.Message}"), Untouched(site));
        }
        var (summary, delivery) = Summarize(site, entry, Judge(site, entry, now), RefreshOutcome.Failed, reason, changed: false);
        return (summary.Severity == Severity.Ok ? summary with { State = SiteState.RefreshFailed, Severity = Severity.Warning } : summary, delivery);
    }

    private static byte[]? ReadExport(string path)
    {
        try
        {
            return RegularFile.TryRead(path, OcspResponseDecoder.MaxInputBytes, followLinks: true);
        }
        catch (Exception e) when (e is FileRefusedException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string InternalError(Exception e) => $"internal error ({e.GetType().Name}: {e.Message}); please report it";

    private StapleVerdict Judge(Site site, StoreEntry? entry, DateTimeOffset now) =>
        // Deliveries are this host's business, judged by its sinks in this run; what fails marks the summary.
        _options.Judge(_options.FactsFor(site, entry, now) with { DeliveryPending = false });

    private async Task<(RefreshSummary, SiteDelivery)> RefreshOneAsync(Site site, CancellationToken cancel)
    {
        var now = DateTimeOffset.UtcNow;
        // Certificates with nothing to ask (no OCSP, expired, not yet valid) never touch the store.
        var withoutStore = Judge(site, null, now);
        if (withoutStore.FetchAt == null)
            return Summarize(site, null, withoutStore, RefreshOutcome.NotFetched, null, changed: false);

        var store = _options.Store;
        var thumbprint = site.Thumbprint;
        // Look before locking: entries are replaced atomically, so what is read unlocked is a whole entry, and most
        // runs find most entries not due (100,000 sites, no lock taken for any of them).
        if (!_options.Force && NotDue(site, store.Read(thumbprint), now) is { } fresh)
            return fresh;
        using var entryLock = await store.LockAsync(thumbprint, _options.LockWait, cancel).ConfigureAwait(false);
        // Read again under the lock: another process may have refreshed this entry while we waited.
        var entry = store.Read(thumbprint);
        if (!_options.Force && NotDue(site, entry, now) is { } refreshedMeanwhile)
            return refreshedMeanwhile;

        OcspResult? result = null;
        string? failure;
        CertificateBundle? certificate = null;
        try
        {
            certificate = site.ReadCertificate();
            result = await _fetcher.FetchAsync(certificate, _options.Fetch, _log, cancel).ConfigureAwait(false);
            failure = result.IsFitToStaple || IsVerifiedRevoked(result) ? null : result.Verification.ToString();
        }
        catch (StaplingException e)
        {
            failure = e.Message;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancel.IsCancellationRequested)
        {
            // Recorded like any failed fetch, so the backoff paces the retries of a certificate that trips a bug.
            failure = InternalError(e);
        }
        finally
        {
            // Its native memory goes now rather than when a finalizer gets to it: a first run reads 100,000 of them.
            if (site.ReadsFromFile)
                certificate?.Leaf.Dispose();
        }

        // The fetch may have taken a while (a slow responder, pauses a busy one asked for): schedules count from its end.
        now = DateTimeOffset.UtcNow;
        if (failure != null)
        {
            var failures = (entry?.Metadata?.FailureCount ?? 0) + 1;
            var afterFailure = store.Save(thumbprint, entry, null, null, Metadata(site, entry?.Metadata) with
            {
                LastAttempt = now,
                LastError = failure,
                FailureCount = failures,
                NextRefresh = now + _options.Policy.RetryDelay(failures, stapling: entry?.HasValidStaple(now) == true),
            });
            var kept = entry?.HasValidStaple(now) == true ? $" Keeping the staple valid until {entry.Answer!.NextUpdate:u}." : " There is no valid staple to fall back on.";
            _log.Warning($"{site.Name}: {failure}{kept}");
            return Summarize(site, afterFailure, Judge(site, afterFailure, now), RefreshOutcome.Failed, failure, changed: false);
        }

        var staple = result!.Response.RawData;
        var changed = entry?.Staple == null || !entry.Staple.AsSpan().SequenceEqual(staple);
        var saved = store.Save(thumbprint, entry, staple, result.Response, Metadata(site, entry?.Metadata) with
        {
            ResponderUrl = result.Source,
            FetchedAt = now,
            ThisUpdate = result.ThisUpdate,
            NextUpdate = result.NextUpdate,
            CertStatus = result.CertStatus,
            LastAttempt = now,
            LastError = null,
            FailureCount = 0,
            NextRefresh = _options.Policy.NextDueSpread(now, result.ThisUpdate!.Value, result.NextUpdate, StapleFacts.SpreadKeyOf(site.Thumbprint)),
            DeliveryPending = false, // deliveries are recorded on each host, never in the shared store
        });
        var revoked = result.CertStatus == CertStatus.Revoked;
        if (revoked)
            _log.Warning($"REVOKED: {site.Name} ({site.Leaf.Subject}) is revoked according to {result.Source}; the stored staple now says so. Replace the certificate.");
        return Summarize(site, saved, Judge(site, saved, now), revoked ? RefreshOutcome.Revoked : RefreshOutcome.Refreshed,
            revoked ? SiteReport.RevokedReason : null, changed);
    }

    // The summary of a site whose entry is not due, and what its sinks should hold; null when due.
    private (RefreshSummary, SiteDelivery)? NotDue(Site site, StoreEntry? entry, DateTimeOffset now)
    {
        var verdict = Judge(site, entry, now);
        return verdict.IsDue(now) ? null : Summarize(site, entry, verdict, RefreshOutcome.StillFresh, null, changed: false);
    }

    private static bool IsVerifiedRevoked(OcspResult result) => result.Verified && result.CertStatus == CertStatus.Revoked;

    private static StapleMetadata Metadata(Site site, StapleMetadata? previous) =>
        (previous ?? new StapleMetadata { Thumbprint = site.Thumbprint, Subject = site.Leaf.Subject }) with
        {
            Subject = site.Leaf.Subject,
            CertificatePath = site.SourcePath ?? previous?.CertificatePath,
        };

    // The site's summary once its files are in step with the store, and what the run's other sinks should deliver.
    private (RefreshSummary, SiteDelivery) Summarize(Site site, StoreEntry? entry, StapleVerdict verdict, RefreshOutcome outcome, string? reason, bool changed)
    {
        // A revoked answer is served too: clients must learn of the revocation.
        var servable = verdict.HasValidStaple || (verdict.State == SiteState.Revoked && verdict.ValidUntil != null) ? entry?.Staple : null;
        var export = _export.Apply(site, servable);
        var state = SiteReport.Of(site, entry, verdict);
        var said = reason ?? (verdict.State == SiteState.NoOcsp ? "the certificate names no OCSP responder" : state.Reason);
        var summary = state with
        {
            Outcome = outcome,
            Reason = export.Note == null ? said : said == null ? export.Note : $"{said}; {export.Note}",
            Changed = changed || export.Changed,
            ExportedTo = export.Written,
        };
        var delivery = new SiteDelivery(site.Name, site.Thumbprint, servable, export.Changed);
        if (export.Problem == null)
            return (summary, delivery);
        _log.Warning($"{site.Name}: {export.Problem}");
        return (summary.DeliveryFailed(export.Problem), delivery);
    }

    public void Dispose() => _fetcher.Dispose();
}
