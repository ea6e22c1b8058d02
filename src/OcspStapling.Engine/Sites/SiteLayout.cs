namespace OcspStapling.Engine.Sites;

/// <summary>Which convention a site was recognised by; it decides the site's name and its export file name.</summary>
public enum SiteLayout
{
    /// <summary>certbot's live/&lt;name&gt;/ (cert.pem, chain.pem, fullchain.pem, privkey.pem): one site named &lt;name&gt;.</summary>
    Certbot,
    /// <summary>acme.sh's &lt;domain&gt;/ (fullchain.cer, ca.cer, &lt;domain&gt;.cer): one site named &lt;domain&gt;.</summary>
    AcmeSh,
    /// <summary>A certificate file with HAProxy's &lt;file&gt;.issuer beside it.</summary>
    Haproxy,
    /// <summary>Any other PEM, DER or PFX certificate file.</summary>
    File,
    /// <summary>A certificate handed over without a file (a Windows certificate store, the pipeline).</summary>
    Store,
}
