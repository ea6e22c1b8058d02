using OcspStapling.Cli.Json;
using OcspStapling.Engine.Policy;
using OcspStapling.Engine.Refresh;
using OcspStapling.Engine.Reporting;
using OcspStapling.Engine.Sites;

namespace OcspStapling.Cli;

/// <summary>
/// Writes the sites of an `update` or `status` run as they come: a line each, or only the problems (--quiet), on
/// the way; JSON and the metrics file, which describe the whole run, once it is over (so those keep every site).
/// </summary>
internal sealed class SitePrinter
{
    private readonly CliContext _context;
    private readonly string _command;
    private readonly bool _json;
    private readonly bool _quiet;
    private readonly string? _metricsFile;
    private readonly SiteTally _tally = new();
    private readonly List<RefreshSummary>? _kept;
    private readonly List<RefreshSummary> _others = new();

    public SitePrinter(CliContext context, string command, bool json, bool quiet, string? metricsFile)
    {
        _context = context;
        _command = command;
        _json = json;
        _quiet = quiet;
        _metricsFile = metricsFile;
        _kept = json || metricsFile != null ? new List<RefreshSummary>() : null;
    }

    /// <summary>How many sites (and unreadable files) were reported.</summary>
    public int Count => _tally.Sites;

    public void Add(RefreshSummary s)
    {
        if (s.OutsideRun)
        {
            AddOther(s);
            return;
        }
        _tally.Add(s);
        _kept?.Add(s);
        if (_json || (_quiet && s.Severity == Severity.Ok))
            return;
        (_quiet ? _context.Error : _context.Output).WriteLine(Line(s));
    }

    // A store entry no site of this run has: listed apart, counted nowhere; --quiet leaves it out.
    private void AddOther(RefreshSummary s)
    {
        _others.Add(s);
        if (!_json && !_quiet)
            _context.Output.WriteLine($"not a site given (store entry, not counted): {Line(s)} ({s.Subject}{(s.CertificatePath != null ? $", last fetched for {s.CertificatePath}" : "")})");
    }

    /// <summary>Ends the report (JSON, metrics file) and returns the run's exit code.</summary>
    public int Finish(IReadOnlyList<SkippedFile> skipped)
    {
        var exitCode = _tally.ExitCode;
        if (_metricsFile != null && !TryWriteMetrics(_context, _metricsFile, _kept!))
            exitCode = Math.Max(exitCode, ExitCodes.NotGood);
        if (_json)
        {
            new JsonReport
            {
                Command = _command,
                ExitCode = exitCode,
                Sites = _kept!.Select(SiteJson.From).ToList(),
                OtherEntries = _others.Select(SiteJson.From).ToList(),
                Skipped = skipped.Select(s => new SkippedJson(s.Path, s.Reason)).ToList(),
            }.WriteTo(_context.Output);
        }
        return exitCode;
    }

    // Monitoring left blind is worth an alert, not worth losing the run's report: one line, and at least a warning's exit.
    private static bool TryWriteMetrics(CliContext context, string path, IReadOnlyList<RefreshSummary> summaries)
    {
        try
        {
            PrometheusTextfile.Write(path, summaries, DateTimeOffset.UtcNow);
            return true;
        }
        catch (Engine.StaplingException e)
        {
            context.Error.WriteLine($"ocspstaple: warning: {e.Message}");
            return false;
        }
    }

    public static string Line(RefreshSummary s)
    {
        var parts = new List<string> { StateWords(s.State) };
        if (s.HasValidStaple && s.NextUpdate is { } until)
            parts.Add($"valid until {until:u}");
        if (s.NextRefresh is { } next)
            parts.Add($"next refresh {next:u}");
        if (s.Outcome is RefreshOutcome.Refreshed or RefreshOutcome.Failed or RefreshOutcome.Revoked)
            parts.Add($"this run: {s.Outcome.ToString().ToLowerInvariant()}");
        if (s.Reason != null)
            parts.Add(s.Reason);
        return $"{s.Site}: {string.Join("; ", parts)}";
    }

    /// <summary>Problems in capitals, so they stand out in a cron mail.</summary>
    internal static string StateWords(SiteState state) => state switch
    {
        SiteState.Stapled => "stapled",
        SiteState.RefreshFailed => "refresh failed, staple still valid",
        SiteState.Undelivered => "staple not delivered to the server, retried next run",
        SiteState.Lapsing => "STAPLE EXPIRES BEFORE THE NEXT RUN",
        SiteState.NoValidStaple => "NO VALID STAPLE",
        SiteState.Revoked => "REVOKED",
        SiteState.NoOcsp => "no OCSP",
        SiteState.CertificateExpired => "CERTIFICATE EXPIRED",
        SiteState.CertificateNotYetValid => "CERTIFICATE NOT YET VALID",
        SiteState.Unreadable => "NO CERTIFICATE READ",
        _ => state.ToString(),
    };
}
