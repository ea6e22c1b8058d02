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
    /// Writes each site down the pipeline. A site the CLI would call a problem (its exit 3) is then also a
    /// non-terminating error, id &lt;Cmdlet&gt;&lt;State&gt;, so a scheduled run sees it: $? turns false, -ErrorAction Stop
    /// stops, `pwsh -Command` exits 1. A site with a warning is a warning. With <paramref name="metricsFile"/>, the
    /// Prometheus textfile too.
    /// </summary>
    public static void Emit(Cmdlet cmdlet, string errorIdPrefix, IReadOnlyList<RefreshSummary> summaries, string? metricsFile)
    {
        foreach (var summary in summaries)
        {
            cmdlet.WriteObject(new SiteStatus(summary));
            if (summary.Severity == Severity.Problem)
                cmdlet.WriteError(new ErrorRecord(new SiteProblemException(Describe(summary)), errorIdPrefix + summary.State, Category(summary.State), summary.Site));
            else if (summary.Severity == Severity.Warning)
                cmdlet.WriteWarning(Describe(summary));
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

    private static ErrorCategory Category(SiteState state) => state switch
    {
        SiteState.Revoked => ErrorCategory.SecurityError,
        SiteState.CertificateExpired or SiteState.CertificateNotYetValid => ErrorCategory.InvalidData,
        SiteState.NoOcsp => ErrorCategory.ObjectNotFound,
        SiteState.Unreadable => ErrorCategory.ReadError,
        _ => ErrorCategory.ResourceUnavailable,
    };

    private static string Describe(RefreshSummary site)
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

    /// <summary>A site without a valid staple, or one that should not be served: what the error record carries.</summary>
    private sealed class SiteProblemException(string message) : Exception(message);
}
