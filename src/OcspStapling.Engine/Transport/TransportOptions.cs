namespace OcspStapling.Engine.Transport;

/// <summary>Network settings for talking to responders and downloading issuers.</summary>
public sealed record TransportOptions
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    public const int DefaultMaxResponseBytes = 64 * 1024;

    /// <summary>Per request, connect to last byte. nginx hard-codes 60 s; Apache uses 10 s.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>Bodies larger than this are refused before any parser sees them (BouncyCastle has had DoS advisories).</summary>
    public int MaxResponseBytes { get; init; } = DefaultMaxResponseBytes;

    public RequestMethod Method { get; init; } = RequestMethod.Auto;

    /// <summary>Requests in flight to one responder host at most (a CA's responder serves many; be modest).</summary>
    public int MaxInFlightPerResponder { get; init; } = DefaultMaxInFlightPerResponder;

    public const int DefaultMaxInFlightPerResponder = 4;

    /// <summary>
    /// The longest a run waits for a responder that asked it to slow down (Retry-After, tryLater) before asking
    /// again; a longer pause fails the certificates it concerns, which keep their staples and retry next run.
    /// </summary>
    public TimeSpan MaxPoliteWait { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>An HTTP proxy for every request; null uses none (not the environment's).</summary>
    public Uri? Proxy { get; init; }

    /// <summary>Sent as the Host header, for responders behind a name-based virtual host.</summary>
    public string? HostHeader { get; init; }

    /// <summary>Longest timeout accepted: a responder that needs more is down.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(1);

    /// <summary>What a Host header may hold: a name or address and port, never spaces or line breaks (header injection).</summary>
    public static bool IsValidHostHeader(string value) =>
        value.Length is > 0 and <= 255 && value.All(c => c > ' ' && c < 0x7f && c is not ('/' or '?' or '#' or '@' or ','));

    /// <summary>CA certificates trusted for https:// responders besides the system's (an internal PKI's root).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2Collection? ResponderTrustedRoots { get; init; }
}
