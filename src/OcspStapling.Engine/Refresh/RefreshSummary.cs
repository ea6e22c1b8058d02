using OcspStapling.Engine.Protocol;

namespace OcspStapling.Engine.Refresh;

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
    /// <summary>The file holds no certificate that can be read (corrupt, empty, wrong password, not a regular file).</summary>
    Unreadable,
}

/// <summary>What happened to one certificate in a refresh run.</summary>
public sealed record RefreshSummary
{
    public required string Subject { get; init; }

    public string? CertificatePath { get; init; }

    public required string Thumbprint { get; init; }

    public RefreshOutcome Outcome { get; init; }

    /// <summary>Why it failed, or what was done.</summary>
    public string? Reason { get; init; }

    public CertStatus? CertStatus { get; init; }

    public DateTimeOffset? NextUpdate { get; init; }

    public DateTimeOffset? NextRefresh { get; init; }

    public TimeSpan? TimeLeft => NextUpdate - DateTimeOffset.UtcNow;

    /// <summary>The store now holds a staple that has not expired.</summary>
    public bool HasValidStaple { get; init; }

    /// <summary>The staple will expire before the next attempt is due: act now.</summary>
    public bool WillLapse => HasValidStaple && NextUpdate is { } expiry && NextRefresh is { } next && expiry < next;

    /// <summary>The stored staple changed in this run (so servers should be told).</summary>
    public bool Changed { get; init; }

    public IReadOnlyList<string> ExportedTo { get; init; } = Array.Empty<string>();

    /// <summary>Why the staple could not be delivered (export file, HAProxy, reload); null when it was.</summary>
    public string? DeliveryProblem { get; init; }

    /// <summary>
    /// A staple that could not be delivered counts as a failed refresh for the exit code; the stored staple is fine.
    /// A revocation stays a revocation.
    /// </summary>
    public RefreshSummary DeliveryFailed(string problem) => this with
    {
        Outcome = Outcome == RefreshOutcome.Revoked ? RefreshOutcome.Revoked : RefreshOutcome.Failed,
        DeliveryProblem = DeliveryProblem == null ? problem : $"{DeliveryProblem} {problem}",
        Reason = Reason == null ? problem : $"{Reason}; {problem}",
    };

    /// <summary>A certificate whose refresh could not even start (its store entry could not be locked or read).</summary>
    public static RefreshSummary ForFailure(Certificates.CertificateBundle certificate, string thumbprint, string reason) => new()
    {
        Subject = certificate.Leaf.Subject,
        CertificatePath = certificate.SourcePath,
        Thumbprint = thumbprint,
        Outcome = RefreshOutcome.Failed,
        Reason = reason,
    };

    /// <summary>A file given (or found in a directory given) that holds no readable certificate.</summary>
    public static RefreshSummary ForUnreadable(string path, string reason) => new()
    {
        Subject = "",
        CertificatePath = path,
        Thumbprint = "",
        Outcome = RefreshOutcome.Unreadable,
        Reason = reason,
    };

    public override string ToString() => $"{CertificatePath ?? Subject}: {Outcome}{(Reason != null ? $" ({Reason})" : "")}";
}

/// <summary>Progress of a run, for Write-Progress and the terminal's progress line.</summary>
public readonly record struct RefreshProgress(int Done, int Total, string Current);
