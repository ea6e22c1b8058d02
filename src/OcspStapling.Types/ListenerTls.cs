namespace OcspStapling;

/// <summary>Which TLS implementation completes a stapling listener's handshakes.</summary>
public enum ListenerTls
{
    /// <summary>OpenSSL 3 directly where it is installed (Linux), otherwise SslStream.</summary>
    Auto,

    /// <summary>libssl.so.3 on one event-loop thread per core, as nginx does; stapled through OpenSSL's own status callback.</summary>
    OpenSsl,

    /// <summary>.NET's SslStream: stapled through private fields on Linux, never on Windows.</summary>
    SslStream,
}
