namespace OcspStapling.Engine.Certificates;

/// <summary>Where the issuer certificate was found, in the order they are tried.</summary>
public enum IssuerSource
{
    /// <summary>Given by the user (-Issuer, --issuer).</summary>
    Explicit,
    /// <summary>The chain in the same file or store as the certificate.</summary>
    Chain,
    /// <summary>HAProxy's &lt;certificate file&gt;.issuer beside the certificate.</summary>
    IssuerFile,
    /// <summary>The trusted-certificates file (nginx's ssl_trusted_certificate).</summary>
    TrustedFile,
    /// <summary>Downloaded from the certificate's AIA caIssuers URL.</summary>
    AiaDownload,
}
