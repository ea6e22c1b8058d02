namespace OcspStapling;

/// <summary>How a staple is written.</summary>
public enum StapleFormat
{
    /// <summary>Raw DER: nginx's ssl_stapling_file, HAProxy's &lt;cert&gt;.ocsp, `openssl ocsp -respout`.</summary>
    Der,
    /// <summary>One line of base64: HAProxy's runtime API `set ssl ocsp-response`.</summary>
    Base64,
}
