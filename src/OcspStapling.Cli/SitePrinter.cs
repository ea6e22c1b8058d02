using OcspStapling.Cli.Json;
using OcspStapling.Engine.Policy;
using OcspStapling.Engine.Refresh;
using OcspStapling.Engine.Reporting;
using OcspStapling.Engine.Sites;

namespace OcspStapling.Cli;

/// <summary>Writes the sites of an `update` or `status` run: a line each, only the problems (--quiet), or JSON.</summary>
internal static class SitePrinter
{
    public static int Write(CliContext context, string command, IReadOnlyList<RefreshSummary> summaries, IReadOnlyList<SkippedFile> skipped,
        bool json, bool quiet, string? metricsFile)
    {
        var exitCode = ExitCodes.For(summaries);
        if (metricsFile != null && !TryWriteMetrics(context, metricsFile, summaries))
            exitCode = Math.Max(exitCode, ExitCodes.NotGood);
        if (json)
        {
            new JsonReport
            {
                Command = command,
                ExitCode = exitCode,
                Sites = summaries.Select(SiteJson.From).ToList(),
                Skipped = skipped.Select(s => new SkippedJson(s.Path, s.Reason)).ToList(),
            }.WriteTo(context.Output);
            return exitCode;
        }
        foreach (var s in summaries)
        {
            if (quiet && s.Severity == Severity.Ok)
                continue;
            (quiet ? context.Error : context.Output).WriteLine(Line(s));
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
