namespace OcspStapling.Engine;

/// <summary>Why an operation could not produce a response to judge. Each is an error id suffix for the cmdlets.</summary>
public enum FailureReason
{
    // The user's input: fix the invocation or the file (CLI exit 2).
    InvalidArgument,
    CertificateUnreadable,
    /// <summary>The file is readable but holds no certificate (a key, a CSR): in a directory scan, not a certificate file.</summary>
    NoCertificateInFile,
    IssuerNotFound,
    NoResponderUrl,
    StapleFileUnreadable,
    // The responder or the network: try again later or elsewhere (CLI exit 3).
    ResponderUnreachable,
    ResponderTimeout,
    ResponderHttpError,
    /// <summary>HTTP 429 or 503: the responder asks to be asked later (<see cref="StaplingException.RetryAfter"/>).</summary>
    ResponderBusy,
    NotAnOcspResponse,
    ResponseTooLarge,
    // A TLS server being probed (CLI exit 3).
    ServerUnreachable,
    HandshakeFailed,
    /// <summary>The staple store (Redis) cannot be reached or answered with an error: try again when it is back.</summary>
    StoreUnavailable,
    /// <summary>
    /// A store entry stayed locked by another refresher (directory or Redis alike): its staple is judged as it is,
    /// and the next run tries again.
    /// </summary>
    StoreLocked,
}

/// <summary>An operation failed before there was a response to verify. The message names the input and what to do.</summary>
public sealed class StaplingException : Exception
{
    public StaplingException(FailureReason reason, string? target, string message, Exception? inner = null)
        : base(OneFullStop(message), inner)
    {
        Reason = reason;
        Target = target;
    }

    public FailureReason Reason { get; }

    /// <summary>The certificate file, URL or staple file the failure is about.</summary>
    public string? Target { get; }

    /// <summary>The option whose value is out of its range (<see cref="OptionRange{T}"/>): front ends name their flag or parameter for it.</summary>
    public OptionName? Option { get; init; }

    /// <summary>For <see cref="FailureReason.ResponderBusy"/>: the pause the responder asked for, when it named one.</summary>
    public TimeSpan? RetryAfter { get; init; }

    // Messages end a clause with the platform's own text, which often ends with a full stop already.
    private static string OneFullStop(string message) =>
        System.Text.RegularExpressions.Regex.Replace(message, @"(?<!\.)\.\.(?=\s|$)", ".");

    /// <summary>True when the user's input is at fault rather than the responder or the network.</summary>
    public bool IsInputProblem => Reason <= FailureReason.StapleFileUnreadable;
}
