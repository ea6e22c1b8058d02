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

    public override string ToString() => $"{CertificatePath ?? Subject}: {Outcome}{(Reason != null ? $" ({Reason})" : "")}";
}

/// <summary>Progress of a run, for Write-Progress and the terminal's progress line.</summary>
public readonly record struct RefreshProgress(int Done, int Total, string Current);
