namespace OcspStapling.Engine.Protocol;

/// <summary>One certificate's answer inside a response (RFC 6960 SingleResponse). Times are UTC.</summary>
public sealed record SingleResponse(
    CertId CertId,
    CertStatus CertStatus,
    DateTimeOffset ThisUpdate,
    DateTimeOffset? NextUpdate,
    DateTimeOffset? RevocationTime,
    RevocationReason? RevocationReason) : IStapleAnswer;
