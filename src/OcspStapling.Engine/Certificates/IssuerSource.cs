namespace OcspStapling.Engine.Certificates;

/// <summary>Where the issuer certificate was found, in the order they are tried.</summary>
public enum IssuerSource
{
    /// <summary>Given by the user (-Issuer, --issuer).</summary>
    Explicit,
    /// <summary>The chain in the same file or store as the certificate.</summary>
    Chain,
    /// <summary>The trusted-certificates file (nginx's ssl_trusted_certificate).</summary>
    TrustedFile,
    /// <summary>Downloaded from the certificate's AIA caIssuers URL.</summary>
    AiaDownload,
}
