using System.Management.Automation;
using OcspStapling.Engine.Policy;
using OcspStapling.Engine.Refresh;

namespace OcspStapling;

/// <summary>
/// A site with a problem also becomes a warning, so a scheduled task's transcript and -WarningVariable catch it
/// while the objects go down the pipeline unchanged.
/// </summary>
internal static class SiteWarnings
{
    public static void Write(Cmdlet cmdlet, RefreshSummary site)
    {
        if (site.Severity != Severity.Problem)
            return;
        var advice = site.State switch
        {
            SiteState.Revoked => " Replace the certificate.",
            SiteState.CertificateExpired => " Renew the certificate.",
            _ => "",
        };
        var reason = site.Reason != null ? $": {site.Reason.TrimEnd('.')}." : ".";
        cmdlet.WriteWarning($"{site.Site}: {site.State}{reason}{advice}");
    }
}
