using OcspStapling.Engine;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Protocol;

namespace OcspStapling.Cli;

/// <summary>The exit codes scripts and cron jobs act on.</summary>
public static class ExitCodes
{
    /// <summary>A response was obtained, verified, and says good.</summary>
    public const int Good = 0;

    /// <summary>A response was obtained but is revoked, unknown or fails verification.</summary>
    public const int NotGood = 1;

    /// <summary>Bad invocation or unreadable input.</summary>
    public const int Usage = 2;

    /// <summary>The responder was unreachable or answered with an error.</summary>
    public const int ResponderFailed = 3;

    public static int For(OcspResult result) =>
        result.Status != OcspResponseStatus.Successful ? ResponderFailed
        : result.IsFitToStaple ? Good
        : NotGood;

    public static int For(StaplingException failure) => failure.IsInputProblem ? Usage : ResponderFailed;
}
