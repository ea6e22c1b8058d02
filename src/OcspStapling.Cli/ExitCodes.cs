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

    /// <summary>
    /// The responder was unreachable or answered with an error; for get and test also a certificate that is expired
    /// or not yet valid, whatever its staple says (a problem, as update and status count it).
    /// </summary>
    public const int ResponderFailed = 3;

    /// <summary>An unexpected internal error (a bug): one line says what failed.</summary>
    public const int Internal = 4;

    /// <summary>Stopped by Ctrl+C (SIGINT), as shells report 128 + 2.</summary>
    public const int Interrupted = 130;

    /// <summary>Stopped by SIGTERM (systemd, timeout(1), kill), as shells report 128 + 15.</summary>
    public const int Terminated = 143;

    public static int For(OcspResult result) =>
        result.Status != OcspResponseStatus.Successful || IsOutsideValidity(result) ? ResponderFailed
        : result.IsFitToStaple ? Good
        : NotGood;

    /// <summary>The certificate itself cannot be served (expired, or not yet valid): no staple makes it usable.</summary>
    internal static bool IsOutsideValidity(OcspResult result) =>
        result.State is Engine.Policy.SiteState.CertificateExpired or Engine.Policy.SiteState.CertificateNotYetValid;

    public static int For(StaplingException failure) => failure.IsInputProblem ? Usage : ResponderFailed;

}

/// <summary>
/// For `update` and `status`, the worst state over all sites, on every run whether or not it fetched:
/// 3 when a site has a problem (no valid staple, revoked, expiring before the next run, certificate expired or
/// not yet valid, no OCSP with --require-ocsp or must-staple, a file that cannot be read); 1 when something failed
/// but every staple is valid (a refresh, a delivery); 0 otherwise (a certificate without OCSP is fine);
/// 2 when no file given held a readable certificate. Kept as running counts, so 100,000 sites need not be held.
/// </summary>
internal sealed class SiteTally
{
    public int Sites { get; private set; }

    private int _unreadable;
    private int _problems;
    private int _warnings;

    public void Add(Engine.Refresh.RefreshSummary summary)
    {
        Sites++;
        _unreadable += summary.State == Engine.Policy.SiteState.Unreadable ? 1 : 0;
        _problems += summary.Severity == Engine.Policy.Severity.Problem ? 1 : 0;
        _warnings += summary.Severity == Engine.Policy.Severity.Warning ? 1 : 0;
    }

    public int ExitCode =>
        Sites > 0 && _unreadable == Sites ? ExitCodes.Usage
        : _problems > 0 ? ExitCodes.ResponderFailed
        : _warnings > 0 ? ExitCodes.NotGood
        : ExitCodes.Good;
}
