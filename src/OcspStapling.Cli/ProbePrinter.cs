using OcspStapling.Cli.Json;
using OcspStapling.Engine.Policy;
using OcspStapling.Engine.Tls;

namespace OcspStapling.Cli;

/// <summary>Writes a live-server probe for people or for scripts (--json).</summary>
internal static class ProbePrinter
{
    /// <summary>The same exit code as `test FILE` gives the same answer: 0 for a good staple or nothing to staple, else 1.</summary>
    public static int ExitCode(ProbeResult probe) => probe.Verdict.Passes() ? ExitCodes.Good : ExitCodes.NotGood;

    private static string Words(ProbeResult probe) => probe.Verdict switch
    {
        StapleCheck.Good => probe.Staple!.Verified ? "stapled, good, verified" : "stapled, good, verification skipped",
        StapleCheck.NoOcsp => "no OCSP: the certificate names no responder, so there is nothing to staple",
        StapleCheck.NotStapled => "NOT stapled",
        _ => "stapled, but NOT good",
    };

    public static void Write(TextWriter output, ProbeResult probe, bool json)
    {
        if (json)
        {
            new JsonReport
            {
                Command = "test",
                ExitCode = ExitCode(probe),
                Probe = ProbeJson.From(probe),
                Responses = probe.Staple is { } staple ? new[] { ResponseJson.From(staple, null) } : Array.Empty<ResponseJson>(),
            }.WriteTo(output);
            return;
        }
        output.WriteLine($"{probe.Host}:{probe.Port}: {Words(probe)}");
        output.WriteLine($"  {"served",-12}{string.Join(" <- ", probe.Chain.Select(c => c.Subject))}");
        output.WriteLine($"  {"must-staple",-12}{(probe.MustStaple ? "YES: clients refuse this certificate without a valid staple" : "no")}");
        if (probe.StapleProblem != null)
            output.WriteLine($"  ! {probe.StapleProblem}");
        if (probe.Staple != null)
            ResultPrinter.Write(output, probe.Staple, json: false, "test");
    }
}
