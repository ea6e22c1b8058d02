namespace OcspStapling.Engine.Protocol;

/// <summary>OCSPResponseStatus (RFC 6960 4.2.1). Only Successful carries a certificate status.</summary>
public enum OcspResponseStatus
{
    Successful = 0,
    MalformedRequest = 1,
    InternalError = 2,
    TryLater = 3,
    SigRequired = 5,
    Unauthorized = 6,
}

/// <summary>What the responder says about the certificate.</summary>
public enum CertStatus
{
    Good,
    Revoked,
    Unknown,
}

/// <summary>CRLReason (RFC 5280 5.3.1).</summary>
public enum RevocationReason
{
    Unspecified = 0,
    KeyCompromise = 1,
    CaCompromise = 2,
    AffiliationChanged = 3,
    Superseded = 4,
    CessationOfOperation = 5,
    CertificateHold = 6,
    RemoveFromCrl = 8,
    PrivilegeWithdrawn = 9,
    AaCompromise = 10,
}
