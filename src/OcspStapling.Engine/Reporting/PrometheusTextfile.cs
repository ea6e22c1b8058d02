using System.Globalization;
using System.Text;
using OcspStapling.Engine.Export;
using OcspStapling.Engine.Policy;
using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Refresh;

namespace OcspStapling.Engine.Reporting;

/// <summary>
/// A run's sites as Prometheus text for node_exporter's textfile collector, written atomically so the collector
/// never reads half a file. Labels: site (its name) and thumbprint; the state metric has one series per state.
/// </summary>
public static class PrometheusTextfile
{
    public static string Render(IReadOnlyList<RefreshSummary> summaries, DateTimeOffset runAt)
    {
        var text = new StringBuilder();
        var sites = summaries.Where(s => s.Thumbprint.Length > 0).ToList();
        // A certificate without OCSP has nothing to staple: no sample, so an alert on "== 0" never fires for it.
        Family(text, "ocspstaple_staple_valid", "1 when the site has a staple that may be served now; absent for a certificate without OCSP.",
            sites.Where(s => s.State != SiteState.NoOcsp), s => s.HasValidStaple ? 1 : 0);
        Family(text, "ocspstaple_staple_expiry_timestamp_seconds", "The staple's nextUpdate, as Unix time.", sites.Where(s => s.NextUpdate != null), s => Seconds(s.NextUpdate!.Value));
        Family(text, "ocspstaple_staple_next_refresh_timestamp_seconds", "When the responder is asked next, as Unix time.", sites.Where(s => s.NextRefresh != null), s => Seconds(s.NextRefresh!.Value));
        Family(text, "ocspstaple_certificate_revoked", "1 when the responder says, verifiably, that the certificate is revoked.", sites, s => s.CertStatus == CertStatus.Revoked ? 1 : 0);
        Header(text, "ocspstaple_site_state", "1 for the state the site is in, 0 for the others.");
        foreach (var site in summaries)
        {
            foreach (var state in Enum.GetValues<SiteState>())
                Sample(text, "ocspstaple_site_state", site, site.State == state ? 1 : 0, "," + PrometheusText.Label("state", PrometheusText.StateName(state)));
        }
        Header(text, "ocspstaple_last_run_timestamp_seconds", "When the run that wrote this file ended, as Unix time.");
        text.Append("ocspstaple_last_run_timestamp_seconds ").Append(Seconds(runAt).ToString(CultureInfo.InvariantCulture)).Append('\n');
        return text.ToString();
    }

    /// <summary>Writes the file atomically (the collector reads *.prom files whole, at any moment).</summary>
    public static void Write(string path, IReadOnlyList<RefreshSummary> summaries, DateTimeOffset runAt) =>
        StapleExport.WriteFile(path, Encoding.UTF8.GetBytes(Render(summaries, runAt)), "metrics file");

    private static void Family(StringBuilder text, string name, string help, IEnumerable<RefreshSummary> sites, Func<RefreshSummary, long> value)
    {
        Header(text, name, help);
        foreach (var site in sites)
            Sample(text, name, site, value(site), "");
    }

    private static void Header(StringBuilder text, string name, string help) => PrometheusText.Header(text, name, "gauge", help);

    private static void Sample(StringBuilder text, string name, RefreshSummary site, long value, string moreLabels) =>
        PrometheusText.Sample(text, name, PrometheusText.Label("site", site.Site) + "," + PrometheusText.Label("thumbprint", site.Thumbprint) + moreLabels, value);

    private static long Seconds(DateTimeOffset time) => time.ToUnixTimeSeconds();
}
