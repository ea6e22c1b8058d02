using OcspStapling.Engine.Protocol;

namespace OcspStapling.Engine.Store;

/// <summary>The sidecar beside a stored staple: what it is for, where it came from, and when to try again.</summary>
public sealed record StapleMetadata
{
    public required string Thumbprint { get; init; }

    public required string Subject { get; init; }

    public string? CertificatePath { get; init; }

    public string? ResponderUrl { get; init; }

    /// <summary>When the stored staple was fetched.</summary>
    public DateTimeOffset? FetchedAt { get; init; }

    public DateTimeOffset? ThisUpdate { get; init; }

    public DateTimeOffset? NextUpdate { get; init; }

    public CertStatus? CertStatus { get; init; }

    /// <summary>When the next refresh (or retry) is due.</summary>
    public DateTimeOffset? NextRefresh { get; init; }

    public DateTimeOffset? LastAttempt { get; init; }

    public string? LastError { get; init; }

    /// <summary>Failed attempts since the last success; drives the backoff.</summary>
    public int FailureCount { get; init; }

    /// <summary>Written by earlier versions, which kept deliveries in the shared store; read by nothing now (each host keeps its own, <see cref="Delivery.DeliveryState"/>).</summary>
    public bool DeliveryPending { get; init; }

    /// <summary>SHA-256 of the staple this describes: a sidecar that does not match its staple (a crash between the two writes) is ignored.</summary>
    public string? StapleSha256 { get; init; }
}
