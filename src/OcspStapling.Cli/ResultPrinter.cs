using OcspStapling.Cli.Json;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Verification;

namespace OcspStapling.Cli;

/// <summary>Writes results for people (aligned lines) or for scripts (--json).</summary>
internal static class ResultPrinter
{
    public static void Write(TextWriter output, OcspResult result, bool json, string command, string? writtenTo = null)
    {
        if (json)
        {
            new JsonReport { Command = command, ExitCode = ExitCodes.For(result), Responses = new[] { ResponseJson.From(result, writtenTo) } }.WriteTo(output);
            return;
        }
        output.WriteLine($"{result.CertificatePath ?? result.Subject}: {Headline(result)}");
        Line(output, "subject", result.Subject);
        Line(output, "source", result.Method is { } m ? $"{result.Source} ({m.ToString().ToUpperInvariant()})" : result.Source);
        Line(output, "issuer", $"{result.Issuer.Subject} (from {result.IssuerSource})");
        if (result.Status == OcspResponseStatus.Successful && result.Verification.Answer is { } answer)
        {
            Line(output, "thisUpdate", answer.ThisUpdate.ToString("u"));
            Line(output, "nextUpdate", answer.NextUpdate is { } next ? $"{next:u} ({Left(next - DateTimeOffset.UtcNow)})" : "none");
            Line(output, "producedAt", result.ProducedAt?.ToString("u"));
            Line(output, "responderId", result.Response.ResponderId);
        }
        Line(output, "state", SitePrinter.StateWords(result.State));
        if (writtenTo != null)
            Line(output, "written", writtenTo);
        foreach (var finding in result.Findings)
            output.WriteLine($"  ! {finding.Code}: {finding.Message}");
    }

    // The certificate's own expiry comes first: "good, verified" alone read as fine while the site cannot be served.
    private static string Headline(OcspResult result) =>
        ExitCodes.IsOutsideValidity(result) ? $"{SitePrinter.StateWords(result.State)}; {Answer(result)}" : Answer(result);

    private static string Answer(OcspResult result)
    {
        if (result.Status != OcspResponseStatus.Successful)
            return $"responder answered {OcspVerifier.StatusName(result.Status)}";
        var status = result.CertStatus?.ToString().ToLowerInvariant() ?? "no answer for this certificate";
        var trust = result.Verified ? "verified" : result.VerificationSkipped ? "verification SKIPPED (--no-verify)" : "NOT VERIFIED";
        return $"{status}, {trust}";
    }

    private static void Line(TextWriter output, string label, string? value)
    {
        if (value != null)
            output.WriteLine($"  {label,-12}{value}");
    }

    internal static string Left(TimeSpan left) =>
        left < TimeSpan.Zero ? $"expired {Span(-left)} ago" : $"{Span(left)} left";

    private static string Span(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{(int)span.TotalDays}d {span.Hours}h" : span.TotalHours >= 1 ? $"{(int)span.TotalHours}h {span.Minutes}m" : $"{span.Minutes}m {span.Seconds}s";

    public static void WriteFailure(TextWriter error, bool json, TextWriter output, string command, Engine.StaplingException failure)
    {
        error.WriteLine($"ocspstaple: {failure.Message}");
        if (json)
            new JsonReport { Command = command, ExitCode = ExitCodes.For(failure), Error = new ErrorJson(SiteJson.Name(failure.Reason), failure.Target, failure.Message) }.WriteTo(output);
    }
}
