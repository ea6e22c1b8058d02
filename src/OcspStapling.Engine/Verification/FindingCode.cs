namespace OcspStapling.Engine.Verification;

/// <summary>One rule a strict client applies to a stapled response, named so scripts can match on it.</summary>
public enum FindingCode
{
    /// <summary>The responder answered malformedRequest, internalError, tryLater, sigRequired or unauthorized.</summary>
    ResponderError,
    /// <summary>No SingleResponse in the response is about this certificate (CertID mismatch).</summary>
    CertIdMismatch,
    /// <summary>The signature does not verify with the signer's key.</summary>
    SignatureInvalid,
    /// <summary>No certificate matching the ResponderID: neither the issuer nor one included in the response.</summary>
    SignerNotFound,
    /// <summary>The signer is neither the issuer nor a delegate the issuer authorised with id-kp-OCSPSigning.</summary>
    SignerNotAuthorized,
    /// <summary>The delegated signer's certificate was not valid when the response was produced.</summary>
    SignerNotValidAtProducedAt,
    /// <summary>thisUpdate (or producedAt) lies in the future beyond the allowed clock skew.</summary>
    NotYetValid,
    /// <summary>nextUpdate has passed (beyond the allowed clock skew).</summary>
    Expired,
    /// <summary>No nextUpdate, and thisUpdate is older than the allowed maximum age.</summary>
    TooOld,
    /// <summary>The response carries an extension marked critical that this tool does not understand (RFC 6960 4.4).</summary>
    UnsupportedCriticalExtension,
    /// <summary>A nonce was sent and the response did not echo it.</summary>
    NonceMismatch,
    /// <summary>The responder says the certificate is revoked.</summary>
    Revoked,
    /// <summary>The responder does not know the certificate.</summary>
    StatusUnknown,
}

/// <summary>A rule the response broke, with a sentence an administrator can act on.</summary>
public sealed record Finding(FindingCode Code, string Message)
{
    /// <summary>Status findings (revoked, unknown) describe the certificate; the others mean the response cannot be trusted.</summary>
    public bool IsAboutCertificate => Code is FindingCode.Revoked or FindingCode.StatusUnknown;

    public override string ToString() => $"{Code}: {Message}";
}
