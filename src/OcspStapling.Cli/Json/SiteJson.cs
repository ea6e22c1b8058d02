using OcspStapling.Engine.Refresh;

namespace OcspStapling.Cli.Json;

/// <summary>One site in update's and status's JSON: its state and what the run did.</summary>
internal sealed record SiteJson(
    string Site,
    string? Layout,
    string? Certificate,
    string? Subject,
    string? Thumbprint,
    DateTimeOffset? CertificateNotAfter,
    string State,
    string Severity,
    string Outcome,
    string? Reason,
    string? CertStatus,
    DateTimeOffset? ThisUpdate,
    DateTimeOffset? NextUpdate,
    DateTimeOffset? NextRefresh,
    bool HasValidStaple,
    bool Changed,
    IReadOnlyList<string> ExportedTo,
    string? DeliveryProblem)
{
    public static SiteJson From(RefreshSummary s) => new(
        s.Site,
        s.Layout is { } layout ? Name(layout) : null,
        s.CertificatePath,
        s.Subject.Length > 0 ? s.Subject : null,
        s.Thumbprint.Length > 0 ? s.Thumbprint : null,
        s.CertificateNotAfter,
        Name(s.State),
        Name(s.Severity),
        Name(s.Outcome),
        s.Reason,
        s.CertStatus is { } status ? Name(status) : null,
        s.ThisUpdate,
        s.NextUpdate,
        s.NextRefresh,
        s.HasValidStaple,
        s.Changed,
        s.ExportedTo,
        s.DeliveryProblem);

    /// <summary>Enum names as JSON and metrics show them: camelCase ("noValidStaple").</summary>
    public static string Name<T>(T value) where T : struct, Enum
    {
        var text = value.ToString();
        return char.ToLowerInvariant(text[0]) + text[1..];
    }
}
