namespace OcspStapling;

/// <summary>How a request reaches the responder: GET (RFC 5019, for short requests) or POST.</summary>
public enum RequestMethod
{
    /// <summary>GET when the encoded request is under 255 bytes, else POST (RFC 5019 section 5).</summary>
    Auto,
    Get,
    Post,
}
