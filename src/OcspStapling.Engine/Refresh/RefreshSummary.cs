using OcspStapling.Engine.Policy;
using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Sites;

namespace OcspStapling.Engine.Refresh;

/// <summary>What a run did for one site (its state is <see cref="RefreshSummary.State"/>, what it did this one).</summary>
public enum RefreshOutcome
{
    /// <summary>A fresh, verified, good staple was fetched and stored.</summary>
    Refreshed,
    /// <summary>Not due; the stored staple stands.</summary>
    StillFresh,
    /// <summary>The fetch failed or the answer was unfit; the old staple (if any) stays.</summary>
    Failed,
    /// <summary>The responder says, verifiably, that the certificate is revoked; that answer replaced the staple.</summary>
    Revoked,
    /// <summary>Nothing asked: the certificate names no responder or is expired or not yet valid, or the view is read-only (status).</summary>
    NotFetched,
    /// <summary>The file holds no certificate that can be read (corrupt, empty, wrong password, not a regular file).</summary>
    Unreadable,
}

/// <summary>One site after a run: its state (the same for update, status and Get-OcspStaple) and what the run did.</summary>
public sealed record RefreshSummary
{
    /// <summary>The site's name: certbot's or acme.sh's directory name, else the certificate file.</summary>
    public required string Site { get; init; }

    public SiteLayout? Layout { get; init; }

    public required string Subject { get; init; }

    public string? CertificatePath { get; init; }

    /// <summary>Lower-case hex SHA-256 of the certificate; empty for a file that could not be read.</summary>
    public required string Thumbprint { get; init; }

    public DateTimeOffset? CertificateNotAfter { get; init; }

    public required SiteState State { get; init; }

    public required Severity Severity { get; init; }

    public RefreshOutcome Outcome { get; init; }

    /// <summary>Why it failed, or what was done.</summary>
    public string? Reason { get; init; }

    public CertStatus? CertStatus { get; init; }

    public DateTimeOffset? ThisUpdate { get; init; }

    public DateTimeOffset? NextUpdate { get; init; }

    /// <summary>When the responder is asked next; null when it never is (no OCSP, certificate not valid).</summary>
    public DateTimeOffset? NextRefresh { get; init; }

    /// <summary>How long the staple in hand has left (negative once expired), for people reading the object.</summary>
    public TimeSpan? TimeLeft => NextUpdate - DateTimeOffset.UtcNow;

    /// <summary>
    /// A store entry that no site of this run refers to (a retired certificate, or another host's site): shown apart,
    /// never in the exit code or the metrics, and removed by age alone (another host of a fleet may still serve it).
    /// </summary>
    public bool OutsideRun { get; init; }

    /// <summary>The store holds a staple that may be served now.</summary>
    public bool HasValidStaple { get; init; }

    /// <summary>The stored staple changed in this run (so servers should be told).</summary>
    public bool Changed { get; init; }

    public IReadOnlyList<string> ExportedTo { get; init; } = Array.Empty<string>();

    /// <summary>Why the staple could not be delivered (export file, HAProxy, reload); null when it was.</summary>
    public string? DeliveryProblem { get; init; }

    /// <summary>
    /// A staple that could not be delivered: a site that was fine is now undelivered (a warning, retried next run);
    /// a worse state stays what it is.
    /// </summary>
    public RefreshSummary DeliveryFailed(string problem) => this with
    {
        State = Severity == Severity.Ok ? SiteState.Undelivered : State,
        Severity = Severity == Severity.Ok ? Severity.Warning : Severity,
        DeliveryProblem = DeliveryProblem == null ? problem : $"{DeliveryProblem} {problem}",
        Reason = Reason == null ? problem : $"{Reason}; {problem}",
    };

    /// <summary>A summary naming <paramref name="site"/> (its name, layout, certificate) in the given state.</summary>
    public static RefreshSummary ForSite(Site site, SiteState state, Severity severity) => new()
    {
        Site = site.Name,
        Layout = site.Layout,
        Subject = site.Leaf.Subject,
        CertificatePath = site.SourcePath,
        Thumbprint = site.Thumbprint,
        CertificateNotAfter = site.Leaf.NotAfter,
        State = state,
        Severity = severity,
    };

    /// <summary>A site whose refresh could not even start (its store entry could not be locked or read).</summary>
    public static RefreshSummary ForFailure(Site site, string reason) =>
        ForSite(site, SiteState.NoValidStaple, Severity.Problem) with { Outcome = RefreshOutcome.Failed, Reason = reason };

    /// <summary>A file given (or found in a directory given) that holds no readable certificate.</summary>
    public static RefreshSummary ForUnreadable(string path, string reason) => new()
    {
        Site = path,
        Subject = "",
        CertificatePath = path,
        Thumbprint = "",
        State = SiteState.Unreadable,
        Severity = Severity.Problem,
        Outcome = RefreshOutcome.Unreadable,
        Reason = reason,
    };

    public override string ToString() => $"{Site}: {State}{(Reason != null ? $" ({Reason})" : "")}";
}

/// <summary>Progress of a run, for Write-Progress and the terminal's progress line.</summary>
public readonly record struct RefreshProgress(int Done, int Total, string Current);
