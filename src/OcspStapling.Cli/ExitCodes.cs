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

    /// <summary>An unexpected internal error (a bug): one line says what failed.</summary>
    public const int Internal = 4;

    /// <summary>Stopped by Ctrl+C (SIGINT), as shells report 128 + 2.</summary>
    public const int Interrupted = 130;

    /// <summary>Stopped by SIGTERM (systemd, timeout(1), kill), as shells report 128 + 15.</summary>
    public const int Terminated = 143;

    public static int For(OcspResult result) =>
        result.Status != OcspResponseStatus.Successful ? ResponderFailed
        : result.IsFitToStaple ? Good
        : NotGood;

    public static int For(StaplingException failure) => failure.IsInputProblem ? Usage : ResponderFailed;

    /// <summary>
    /// For `update`: 2 when no file given held a readable certificate; 3 when a certificate has no valid staple
    /// (an unreadable certificate file counts), will lose it before the next try, or is revoked;
    /// 1 when some refresh failed but every staple is still valid; 0 when all is fresh.
    /// </summary>
    public static int For(IReadOnlyList<Engine.Refresh.RefreshSummary> summaries) =>
        summaries.Count > 0 && summaries.All(s => s.Outcome == Engine.Refresh.RefreshOutcome.Unreadable) ? Usage
        : summaries.Any(s => !s.HasValidStaple || s.WillLapse || s.Outcome == Engine.Refresh.RefreshOutcome.Revoked) ? ResponderFailed
        : summaries.Any(s => s.Outcome == Engine.Refresh.RefreshOutcome.Failed) ? NotGood
        : Good;
}
