namespace OcspStapling.Engine.Policy;

/// <summary>
/// The one state every site is in, as update, status, export, test, the listener and the cmdlets report it.
/// The table in about_OcspStapling and the README lists each with its exit code.
/// </summary>
public enum SiteState
{
    /// <summary>A valid staple that stays valid past the next scheduled run.</summary>
    Stapled,
    /// <summary>The last refresh failed; the staple in hand is still valid and stays so past the next run.</summary>
    RefreshFailed,
    /// <summary>The staple is valid but did not reach the server (export, HAProxy push or reload failed); retried every run.</summary>
    Undelivered,
    /// <summary>A staple is in hand, but it expires before the next scheduled run could replace it.</summary>
    Lapsing,
    /// <summary>No staple that is valid now.</summary>
    NoValidStaple,
    /// <summary>The responder says, verifiably, that the certificate is revoked.</summary>
    Revoked,
    /// <summary>The certificate names no OCSP responder: nothing to staple (Let's Encrypt since 2025).</summary>
    NoOcsp,
    /// <summary>The certificate's notAfter has passed.</summary>
    CertificateExpired,
    /// <summary>The certificate's notBefore is still ahead.</summary>
    CertificateNotYetValid,
    /// <summary>The file should hold a certificate and cannot be read.</summary>
    Unreadable,
}

/// <summary>How much a state matters to whoever watches the runs; front ends map it to exit codes.</summary>
public enum Severity
{
    /// <summary>Nothing to do.</summary>
    Ok = 0,
    /// <summary>Something failed, but every server still has a valid staple.</summary>
    Warning = 1,
    /// <summary>A site is without a valid staple, or should not be served at all.</summary>
    Problem = 2,
}
