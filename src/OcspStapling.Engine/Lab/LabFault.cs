namespace OcspStapling.Engine.Lab;

/// <summary>How the lab responder misbehaves: the faults a real responder will not stage on demand.</summary>
public enum LabFault
{
    /// <summary>Answers correctly: good, revoked or unknown per serial.</summary>
    None,
    /// <summary>Names the issuer as responder but signs with an unrelated key.</summary>
    WrongSigner,
    /// <summary>Signs with a certificate the issuer issued without id-kp-OCSPSigning.</summary>
    UnauthorizedDelegate,
    /// <summary>thisUpdate two days ago, nextUpdate one day ago.</summary>
    Stale,
    /// <summary>thisUpdate a day from now.</summary>
    FutureDated,
    /// <summary>Random bytes labelled application/ocsp-response.</summary>
    Garbage,
    /// <summary>An HTML error page with HTTP 200, as some proxies and portals send.</summary>
    Html,
    /// <summary>HTTP 500.</summary>
    Http500,
    /// <summary>Answers after <see cref="LabResponder.SlowDelay"/>.</summary>
    Slow,
    /// <summary>A body larger than any sane OCSP response (256 KiB).</summary>
    Oversized,
    /// <summary>OCSP response status tryLater.</summary>
    TryLater,
    /// <summary>A signed good answer about a different serial number.</summary>
    WrongCertificate,
    /// <summary>Ignores the request's nonce.</summary>
    DropNonce,
    /// <summary>A good answer without nextUpdate, with thisUpdate two days ago.</summary>
    NoNextUpdateOld,
    /// <summary>A good answer whose nextUpdate passed 55 seconds ago: inside a 5-minute skew, yet expired.</summary>
    JustExpired,
    /// <summary>A good answer with an unknown response extension marked critical.</summary>
    CriticalExtension,
    /// <summary>A good answer with an unknown singleExtension marked critical.</summary>
    CriticalSingleExtension,
    /// <summary>HTTP 400 to every GET (as cfssl's responder does); POST is answered.</summary>
    GetFails,
    /// <summary>A redirect to a file:// URL.</summary>
    RedirectToFile,
}
