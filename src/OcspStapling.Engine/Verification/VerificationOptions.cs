namespace OcspStapling.Engine.Verification;

/// <summary>Tolerances for the time checks. Defaults follow nginx (5 min skew).</summary>
public sealed record VerificationOptions
{
    public static readonly VerificationOptions Default = new();

    /// <summary>How far thisUpdate may lie ahead and nextUpdate behind the local clock.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How old a response without nextUpdate may be (RFC 5019 responders always set it).</summary>
    public TimeSpan MaxAgeWithoutNextUpdate { get; init; } = TimeSpan.FromHours(24);
}
