using System.Security.Cryptography;
using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Export;
using OcspStapling.Engine.Files;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Store;

namespace OcspStapling.Engine.Refresh;

/// <summary>
/// Refreshes the staples of many certificates that are due, with bounded concurrency, keeping every valid staple
/// until a better one is in hand, then exports and tells servers about the ones that changed.
/// </summary>
public sealed class StapleRefresher : IDisposable
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(2);
    private readonly RefreshOptions _options;
    private readonly StapleFetcher _fetcher;
    private readonly IOperationLog _log;

    public StapleRefresher(RefreshOptions options, IOperationLog? log = null)
    {
        _options = options;
        _log = log ?? SilentLog.Instance;
        _fetcher = new StapleFetcher(options.Transport);
    }

    public async Task<IReadOnlyList<RefreshSummary>> RefreshAsync(IReadOnlyList<CertificateBundle> certificates, IProgress<RefreshProgress>? progress = null, CancellationToken cancel = default)
    {
        var summaries = new RefreshSummary[certificates.Count];
        var done = 0;
        if (_options.ExportDirectory is { } exportDirectory && Directory.Exists(exportDirectory))
            StaleTemporaries.Clean(exportDirectory); // the store cleans its own when opened
        await Parallel.ForEachAsync(Enumerable.Range(0, certificates.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.Concurrency), CancellationToken = cancel },
            async (i, token) =>
            {
                summaries[i] = await RefreshGuardedAsync(certificates[i], token).ConfigureAwait(false);
                progress?.Report(new RefreshProgress(Interlocked.Increment(ref done), certificates.Count, certificates[i].DisplayName));
            }).ConfigureAwait(false);

        var changed = Enumerable.Range(0, summaries.Length).Where(i => summaries[i].Changed).ToList();
        if (changed.Count > 0 && _options.HaproxySocket is { } socket)
            await new HaproxyDelivery(socket, _options.Store, _log).PushAsync(summaries, changed, cancel).ConfigureAwait(false);
        if (changed.Count > 0 && _options.ReloadCommand is { } reload)
        {
            try
            {
                await ReloadCommand.RunAsync(reload, TimeSpan.FromMinutes(2), _options.ReloadHiddenVariables, cancel).ConfigureAwait(false);
                _log.Verbose($"Ran '{reload}' after {changed.Count} staple(s) changed.");
            }
            catch (StaplingException e)
            {
                _log.Warning(e.Message);
                foreach (var i in changed)
                    summaries[i] = summaries[i].DeliveryFailed(e.Message);
            }
        }
        return summaries;
    }

    // One certificate's failure, of whatever kind, is that certificate's summary: the run and its report go on.
    private async Task<RefreshSummary> RefreshGuardedAsync(CertificateBundle certificate, CancellationToken cancel)
    {
        try
        {
            return await RefreshOneAsync(certificate, cancel).ConfigureAwait(false);
        }
        catch (StaplingException e)
        {
            _log.Warning($"{certificate.DisplayName}: {e.Message}");
            return RefreshSummary.ForFailure(certificate, Thumbprint(certificate), e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancel.IsCancellationRequested)
        {
            var reason = InternalError(e);
            _log.Warning($"{certificate.DisplayName}: {reason}");
            return RefreshSummary.ForFailure(certificate, Thumbprint(certificate), reason);
        }
    }

    private static string InternalError(Exception e) => $"internal error ({e.GetType().Name}: {e.Message}); please report it";

    private static string Thumbprint(CertificateBundle certificate) =>
        certificate.Leaf.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant();

    private async Task<RefreshSummary> RefreshOneAsync(CertificateBundle certificate, CancellationToken cancel)
    {
        var thumbprint = Thumbprint(certificate);
        var store = _options.Store;
        using var entryLock = await store.LockAsync(thumbprint, LockTimeout, cancel).ConfigureAwait(false);
        // Read under the lock: another process may have refreshed this entry while we waited.
        var entry = store.Read(thumbprint);
        var now = DateTimeOffset.UtcNow;
        if (!_options.Force && !RefreshDecision.IsDue(entry, _options.Policy, now))
            return Summarize(certificate, thumbprint, entry, RefreshOutcome.StillFresh, null, changed: false, Export(certificate, entry?.Staple), now);

        OcspResult? result = null;
        string? failure;
        try
        {
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

        if (failure != null)
        {
            var failures = (entry?.Metadata?.FailureCount ?? 0) + 1;
            var retryAt = now + _options.Policy.RetryDelay(failures);
            var afterFailure = store.Save(thumbprint, entry, null, null, Metadata(certificate, thumbprint, entry?.Metadata) with
            {
                LastAttempt = now,
                LastError = failure,
                FailureCount = failures,
                NextRefresh = retryAt,
            });
            var kept = entry?.HasValidStaple(now) == true ? $" Keeping the staple valid until {entry.Answer!.NextUpdate:u}." : " There is no valid staple to fall back on.";
            _log.Warning($"{certificate.DisplayName}: {failure}{kept}");
            return Summarize(certificate, thumbprint, afterFailure, RefreshOutcome.Failed, failure, changed: false, Export(certificate, entry?.Staple), now);
        }

        var staple = result!.Response.RawData;
        var changed = entry?.Staple == null || !entry.Staple.AsSpan().SequenceEqual(staple);
        var saved = store.Save(thumbprint, entry, staple, result.Response, Metadata(certificate, thumbprint, entry?.Metadata) with
        {
            ResponderUrl = result.Source,
            FetchedAt = now,
            ThisUpdate = result.ThisUpdate,
            NextUpdate = result.NextUpdate,
            CertStatus = result.CertStatus,
            LastAttempt = now,
            LastError = null,
            FailureCount = 0,
            NextRefresh = _options.Policy.NextDue(now, result.ThisUpdate!.Value, result.NextUpdate),
        });
        var revoked = result.CertStatus == CertStatus.Revoked;
        if (revoked)
            _log.Warning($"REVOKED: {certificate.DisplayName} ({certificate.Leaf.Subject}) is revoked according to {result.Source}; the stored staple now says so. Replace the certificate.");
        return Summarize(certificate, thumbprint, saved, revoked ? RefreshOutcome.Revoked : RefreshOutcome.Refreshed,
            revoked ? "the certificate is REVOKED" : null, changed, Export(certificate, staple), now);
    }

    private static bool IsVerifiedRevoked(OcspResult result) => result.Verified && result.CertStatus == CertStatus.Revoked;

    /// <summary>Writes the staple to the places the user named, when a file there is missing or differs.</summary>
    /// <returns>The targets, and why one could not be written (null when all were).</returns>
    private (IReadOnlyList<string> Targets, string? Problem) Export(CertificateBundle certificate, byte[]? staple)
    {
        if (staple == null)
            return (Array.Empty<string>(), null);
        var targets = new List<string>();
        var name = StapleExport.FileNameFor(certificate, StapleFormat.Der);
        if (_options.ExportDirectory is { } dir)
            targets.Add(Path.Combine(dir, name));
        if (_options.ExportBesideCertificate && certificate.SourcePath is { } source)
            targets.Add(source + ".ocsp");
        var problems = new List<string>();
        foreach (var target in targets)
        {
            try
            {
                if (!StapleExport.IsCurrent(target, staple))
                    StapleExport.WriteFile(target, staple);
            }
            catch (StaplingException e)
            {
                problems.Add(e.Message);
            }
        }
        return (targets, problems.Count > 0 ? string.Join(" ", problems) : null);
    }

    private static StapleMetadata Metadata(CertificateBundle certificate, string thumbprint, StapleMetadata? previous) =>
        (previous ?? new StapleMetadata { Thumbprint = thumbprint, Subject = certificate.Leaf.Subject }) with
        {
            Subject = certificate.Leaf.Subject,
            CertificatePath = certificate.SourcePath ?? previous?.CertificatePath,
        };

    private RefreshSummary Summarize(CertificateBundle certificate, string thumbprint, StoreEntry? entry, RefreshOutcome outcome, string? reason, bool changed,
        (IReadOnlyList<string> Targets, string? Problem) export, DateTimeOffset now)
    {
        var summary = Summarize(certificate, thumbprint, entry, outcome, reason, changed, export.Targets, now);
        if (export.Problem == null)
            return summary;
        _log.Warning($"{certificate.DisplayName}: {export.Problem}");
        return summary.DeliveryFailed(export.Problem);
    }

    private RefreshSummary Summarize(CertificateBundle certificate, string thumbprint, StoreEntry? entry, RefreshOutcome outcome, string? reason, bool changed, IReadOnlyList<string> exported, DateTimeOffset now) => new()
    {
        Subject = certificate.Leaf.Subject,
        CertificatePath = certificate.SourcePath,
        Thumbprint = thumbprint,
        Outcome = outcome,
        Reason = reason,
        CertStatus = entry?.Answer?.CertStatus,
        NextUpdate = entry?.Answer?.NextUpdate,
        NextRefresh = RefreshDecision.NextDue(entry, _options.Policy, now),
        HasValidStaple = entry?.HasValidStaple(now) == true,
        Changed = changed,
        ExportedTo = exported,
    };

    public void Dispose() => _fetcher.Dispose();
}
