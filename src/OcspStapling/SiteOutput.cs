using System.Management.Automation;
using OcspStapling.Engine;
using OcspStapling.Engine.Policy;
using OcspStapling.Engine.Refresh;
using OcspStapling.Engine.Reporting;

namespace OcspStapling;

/// <summary>How Update-OcspStaple and Get-OcspStaple hand their sites over: objects, warnings, and the metrics file.</summary>
internal static class SiteOutput
{
    /// <summary>
    /// Writes each site down the pipeline; a site with a problem is also a warning, so a scheduled task's transcript
    /// and -WarningVariable catch it. With <paramref name="metricsFile"/>, the Prometheus textfile too.
    /// </summary>
    public static void Emit(Cmdlet cmdlet, string errorIdPrefix, IReadOnlyList<RefreshSummary> summaries, string? metricsFile)
    {
        foreach (var summary in summaries)
        {
            if (summary.Severity == Severity.Problem)
                cmdlet.WriteWarning(Warning(summary));
            cmdlet.WriteObject(summary);
        }
        if (metricsFile == null)
            return;
        try
        {
            PrometheusTextfile.Write(metricsFile, summaries, DateTimeOffset.UtcNow);
        }
        catch (StaplingException e)
        {
            // The sites are out already; a metrics file that cannot be written is an error of its own, not the run's end.
            cmdlet.WriteError(new ErrorRecord(e, errorIdPrefix + "MetricsFileUnwritable", ErrorCategory.WriteError, metricsFile));
        }
    }

    private static string Warning(RefreshSummary site)
    {
        var advice = site.State switch
        {
            SiteState.Revoked => " Replace the certificate.",
            SiteState.CertificateExpired => " Renew the certificate.",
            _ => "",
        };
        var reason = site.Reason != null ? $": {site.Reason.TrimEnd('.')}." : ".";
        return $"{site.Site}: {site.State}{reason}{advice}";
    }
}
