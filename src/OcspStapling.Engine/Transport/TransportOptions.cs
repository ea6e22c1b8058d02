namespace OcspStapling.Engine.Transport;

/// <summary>Network settings for talking to responders and downloading issuers.</summary>
public sealed record TransportOptions
{
    // The bounds as constants too, for the cmdlets' ValidateRange attributes (constants are copied into the module,
    // which so names them without loading the engine).
    public const int DefaultTimeoutSeconds = 10;
    public const int MaxTimeoutSeconds = 3600;
    public const int DefaultMaxResponseBytes = 64 * 1024;
    public const int MinMaxResponseBytes = 1024;
    public const int DefaultMaxInFlightPerResponder = 4;
    public const int MaxMaxInFlightPerResponder = 64;

    /// <summary>nginx hard-codes 60 s, Apache uses 10 s; a responder that needs more than an hour is down.</summary>
    public static readonly OptionRange<TimeSpan> TimeoutRange =
        new(OptionName.Timeout, TimeSpan.FromSeconds(DefaultTimeoutSeconds), TimeSpan.Zero, TimeSpan.FromSeconds(MaxTimeoutSeconds), MinExclusive: true);

    public static readonly OptionRange<int> MaxResponseBytesRange =
        new(OptionName.MaxResponseBytes, DefaultMaxResponseBytes, MinMaxResponseBytes, int.MaxValue);

    public static readonly OptionRange<int> MaxInFlightPerResponderRange =
        new(OptionName.ResponderConcurrency, DefaultMaxInFlightPerResponder, 1, MaxMaxInFlightPerResponder);

    public static TimeSpan DefaultTimeout => TimeoutRange.Default;

    /// <summary>Per request, connect to last byte.</summary>
    public TimeSpan Timeout { get; init => field = TimeoutRange.Check(value); } = TimeoutRange.Default;

    /// <summary>Bodies larger than this are refused before any parser sees them (BouncyCastle has had DoS advisories).</summary>
    public int MaxResponseBytes { get; init => field = MaxResponseBytesRange.Check(value); } = MaxResponseBytesRange.Default;

    public RequestMethod Method { get; init; } = RequestMethod.Auto;

    /// <summary>Requests in flight to one responder host at most (a CA's responder serves many; be modest).</summary>
    public int MaxInFlightPerResponder { get; init => field = MaxInFlightPerResponderRange.Check(value); } = MaxInFlightPerResponderRange.Default;

    /// <summary>
    /// The longest a run waits for a responder that asked it to slow down (Retry-After, tryLater) before asking
    /// again; a longer pause fails the certificates it concerns, which keep their staples and retry next run.
    /// </summary>
    public TimeSpan MaxPoliteWait { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>An HTTP proxy for every request; null uses none (not the environment's).</summary>
    public Uri? Proxy { get; init; }

    /// <summary>Sent as the Host header, for responders behind a name-based virtual host.</summary>
    public string? HostHeader { get; init; }

    /// <summary>What a Host header may hold: a name or address and port, never spaces or line breaks (header injection).</summary>
    public static bool IsValidHostHeader(string value) =>
        value.Length is > 0 and <= 255 && value.All(c => c > ' ' && c < 0x7f && c is not ('/' or '?' or '#' or '@' or ','));

    /// <summary>CA certificates trusted for https:// responders besides the system's (an internal PKI's root).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2Collection? ResponderTrustedRoots { get; init; }
}
