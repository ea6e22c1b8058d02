using OcspStapling.Cli.Json;
using OcspStapling.Engine.Tls;

namespace OcspStapling.Cli;

/// <summary>Writes a live-server probe for people or for scripts (--json).</summary>
internal static class ProbePrinter
{
    public static void Write(TextWriter output, ProbeResult probe, bool json)
    {
        if (json)
        {
            new JsonReport
            {
                Command = "test",
                ExitCode = probe.Passed ? ExitCodes.Good : ExitCodes.NotGood,
                Probe = ProbeJson.From(probe),
                Responses = probe.Staple is { } staple ? new[] { ResponseJson.From(staple, null) } : Array.Empty<ResponseJson>(),
            }.WriteTo(output);
            return;
        }
        output.WriteLine($"{probe.Host}:{probe.Port}: {(probe.Passed ? "stapled, good, verified" : probe.Stapled ? "stapled, but NOT good" : "NOT stapled")}");
        output.WriteLine($"  {"served",-12}{string.Join(" <- ", probe.Chain.Select(c => c.Subject))}");
        output.WriteLine($"  {"must-staple",-12}{(probe.MustStaple ? "YES: clients refuse this certificate without a valid staple" : "no")}");
        if (probe.StapleProblem != null)
            output.WriteLine($"  ! {probe.StapleProblem}");
        if (probe.Staple != null)
            ResultPrinter.Write(output, probe.Staple, json: false, "test");
    }
}
