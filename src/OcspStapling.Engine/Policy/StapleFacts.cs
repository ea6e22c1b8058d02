using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Sites;
using OcspStapling.Engine.Store;

namespace OcspStapling.Engine.Policy;

/// <summary>Everything <see cref="StaplePolicy"/> looks at, gathered once so the decision itself reads no clock and no file.</summary>
public sealed record StapleFacts
{
    public required DateTimeOffset Now { get; init; }

    public required DateTimeOffset CertificateNotBefore { get; init; }

    public required DateTimeOffset CertificateNotAfter { get; init; }

    /// <summary>The certificate names an OCSP responder, or one was given (--responder).</summary>
    public required bool HasResponder { get; init; }

    /// <summary>The certificate carries the TLS feature status_request (RFC 7633): without a staple clients refuse it.</summary>
    public bool MustStaple { get; init; }

    /// <summary>The user said a certificate without OCSP is a problem (--require-ocsp).</summary>
    public bool RequireOcsp { get; init; }

    /// <summary>The stored staple's answer for this certificate; null when there is none (or it does not parse).</summary>
    public IStapleAnswer? Answer { get; init; }

    /// <summary>When the stored staple was fetched, if known.</summary>
    public DateTimeOffset? FetchedAt { get; init; }

    /// <summary>Failed attempts since the last success.</summary>
    public int FailureCount { get; init; }

    /// <summary>When the backoff after the last failure allows the next attempt.</summary>
    public DateTimeOffset? RetryAt { get; init; }

    /// <summary>A staple has not yet reached this host's server (a push or reload failed); known to the run that delivers, not to the store.</summary>
    public bool DeliveryPending { get; init; }

    /// <summary>A number in [0, 1) fixed per certificate that spreads refreshes (<see cref="Refresh.RefreshPolicy.Spread"/>); 0 when unknown.</summary>
    public double SpreadKey { get; init; }

    /// <summary>How often the refresh runs (cron, timer, the listener's check): a staple must outlive the next one.</summary>
    public TimeSpan RunInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The facts for a site and its store entry (null when the store has none).</summary>
    public static StapleFacts Of(Site site, StoreEntry? entry, bool responderGiven, DateTimeOffset now) => OfEntryAlone(entry, now) with
    {
        CertificateNotBefore = site.Leaf.NotBefore,
        CertificateNotAfter = site.Leaf.NotAfter,
        HasResponder = responderGiven || site.Leaf.HasOcspUrl,
        MustStaple = site.Leaf.MustStaple,
        SpreadKey = SpreadKeyOf(site.Thumbprint),
    };

    /// <summary>
    /// A store entry whose certificate is not at hand (status of the store alone): the certificate's dates and
    /// responder are unknown, so only the staple is judged, as if the certificate were valid and named a responder.
    /// </summary>
    public static StapleFacts OfEntryAlone(StoreEntry? entry, DateTimeOffset now) => new()
    {
        Now = now,
        CertificateNotBefore = DateTimeOffset.MinValue,
        CertificateNotAfter = DateTimeOffset.MaxValue,
        HasResponder = true,
        Answer = entry?.Answer,
        FetchedAt = entry?.Metadata?.FetchedAt,
        FailureCount = entry?.Metadata?.FailureCount ?? 0,
        RetryAt = entry?.Metadata is { FailureCount: > 0 } failed ? failed.NextRefresh : null,
    };

    /// <summary>
    /// A response just fetched or read (get, test, export, the listener): its answer counts only when it may be
    /// stapled, or is a verified revocation, as the store would keep it. No schedule: nothing lapses "before the next run".
    /// </summary>
    public static StapleFacts OfResult(OcspResult result, DateTimeOffset fetchedAt, DateTimeOffset now) => new()
    {
        Now = now,
        CertificateNotBefore = result.Bundle.Leaf.NotBefore.ToUniversalTime(),
        CertificateNotAfter = result.Bundle.Leaf.NotAfter.ToUniversalTime(),
        HasResponder = true,
        MustStaple = CertificateFacts.IsMustStaple(result.Bundle.Leaf),
        SpreadKey = SpreadKeyOf(result.Thumbprint),
        Answer = result.IsFitToStaple || (result.Verified && result.CertStatus == CertStatus.Revoked) ? result.Verification.Answer : null,
        FetchedAt = fetchedAt,
        RunInterval = TimeSpan.Zero,
    };

    /// <summary>A certificate's spread key, from its SHA-256 thumbprint (lower-case hex): its first four bytes as a fraction.</summary>
    public static double SpreadKeyOf(string thumbprint) =>
        uint.Parse(thumbprint.AsSpan(0, 8), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture) / 4294967296.0;
}
