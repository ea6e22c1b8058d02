using OcspStapling.Engine.Refresh;

namespace OcspStapling;

/// <summary>What Update-OcspStaple and Get-OcspStaple write for each site: its state, its staple and its deliveries.</summary>
public sealed class SiteStatus
{
    private readonly RefreshSummary _summary;

    internal SiteStatus(RefreshSummary summary) => _summary = summary;

    /// <summary>The site's name: the certbot or acme.sh name, else the certificate file's path.</summary>
    public string Site => _summary.Site;

    public string? Layout => _summary.Layout?.ToString();

    public string Subject => _summary.Subject;

    public string? CertificatePath => _summary.CertificatePath;

    /// <summary>SHA-256 of the certificate, lower-case hex.</summary>
    public string Thumbprint => _summary.Thumbprint;

    public DateTime? CertificateNotAfter => _summary.CertificateNotAfter?.UtcDateTime;

    /// <summary>Stapled, RefreshFailed, Undelivered, Lapsing, NoValidStaple, Revoked, NoOcsp, CertificateExpired…</summary>
    public string State => _summary.State.ToString();

    /// <summary>Ok, Warning or Problem: the CLI's exit 0, 1 or 3.</summary>
    public string Severity => _summary.Severity.ToString();

    /// <summary>What this run did: Refreshed, StillFresh, NotFetched, Failed…</summary>
    public string Outcome => _summary.Outcome.ToString();

    public string? Reason => _summary.Reason;

    public string? CertStatus => _summary.CertStatus?.ToString();

    public DateTime? ThisUpdate => _summary.ThisUpdate?.UtcDateTime;

    public DateTime? NextUpdate => _summary.NextUpdate?.UtcDateTime;

    public DateTime? NextRefresh => _summary.NextRefresh?.UtcDateTime;

    public bool HasValidStaple => _summary.HasValidStaple;

    public bool Changed => _summary.Changed;

    public string[] ExportedTo => _summary.ExportedTo.ToArray();

    public string? DeliveryProblem => _summary.DeliveryProblem;

    /// <summary>A store entry no site of this run refers to (another host's, or a retired certificate's), shown apart.</summary>
    public bool OutsideRun => _summary.OutsideRun;

    internal RefreshSummary Summary => _summary;

    public override string ToString() => _summary.ToString();
}
