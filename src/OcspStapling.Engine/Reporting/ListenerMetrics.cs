using System.Text;
using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Policy;
using OcspStapling.Engine.Tls;

namespace OcspStapling.Engine.Reporting;

/// <summary>
/// A running listener as Prometheus text: handshake counters, open connections, and per certificate whether a valid
/// staple is served, when it expires, and the policy's state, with the same metric names and labels (site, SHA-256
/// thumbprint) as update's textfile, so the two join.
/// </summary>
public static class ListenerMetrics
{
    public static string Render(StaplingListener listener, DateTimeOffset now)
    {
        var text = new StringBuilder();
        Counter(text, "ocspstaple_listener_handshakes_total", "TLS handshakes completed.", listener.Handshakes);
        Counter(text, "ocspstaple_listener_stapled_handshakes_total", "Handshakes completed with a certificate that had a valid staple.", listener.StapledHandshakes);
        Counter(text, "ocspstaple_listener_failed_handshakes_total", "Handshakes that failed or timed out.", listener.FailedHandshakes);
        Header(text, "ocspstaple_listener_open_connections", "gauge", "Connections past their handshake and not yet closed.");
        Line(text, "ocspstaple_listener_open_connections", "", listener.OpenConnections);

        var sites = listener.Sites;
        Header(text, "ocspstaple_staple_valid", "gauge", "1 when the certificate has a staple that is served now; absent for a certificate without OCSP.");
        foreach (var site in sites.Where(s => s.StateAt(now) != SiteState.NoOcsp))
            Line(text, "ocspstaple_staple_valid", Labels(site), site.IsStapling ? 1 : 0);
        Header(text, "ocspstaple_staple_expiry_timestamp_seconds", "gauge", "The served staple's nextUpdate, as Unix time.");
        foreach (var site in sites)
        {
            if (site.Staple?.NextUpdate is { } next)
                Line(text, "ocspstaple_staple_expiry_timestamp_seconds", Labels(site), next.ToUnixTimeSeconds());
        }
        Header(text, "ocspstaple_site_state", "gauge", "1 for the state the certificate's staple is in, 0 for the others.");
        foreach (var site in sites)
        {
            var current = site.StateAt(now);
            foreach (var state in Enum.GetValues<SiteState>())
                Line(text, "ocspstaple_site_state", Labels(site) + "," + PrometheusText.Label("state", PrometheusText.StateName(state)), state == current ? 1 : 0);
        }
        return text.ToString();
    }

    private static void Counter(StringBuilder text, string name, string help, long value)
    {
        Header(text, name, "counter", help);
        Line(text, name, "", value);
    }

    private static void Header(StringBuilder text, string name, string type, string help) => PrometheusText.Header(text, name, type, help);

    private static void Line(StringBuilder text, string name, string labels, long value) => PrometheusText.Sample(text, name, labels, value);

    private static string Labels(ListenerSite site) =>
        PrometheusText.Label("site", site.Served.Site) + "," + PrometheusText.Label("thumbprint", CertificateSummary.ThumbprintOf(site.Certificate));
}
