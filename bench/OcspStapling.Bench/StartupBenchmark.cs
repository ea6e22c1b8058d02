namespace OcspStapling.Bench;

/// <summary>
/// Issue 11's startup goal: one certificate's `ocspstaple get` as a cold process beside one `openssl ocsp` process
/// doing the same job (ask the local OpenSSL responder, verify the answer, write it), run alternately so both see the
/// same machine; each binary given is measured in the same run.
/// </summary>
internal static class StartupBenchmark
{
    public static async Task RunAsync(int runs, IReadOnlyList<string> binaries, string resultsPath)
    {
        await using var pki = await BenchPki.CreateAsync(1);
        var cert = pki.LeafFiles[0];
        var commands = new List<(string Name, string Program, string[] Args)>
        {
            ("openssl ocsp", "openssl", new[] { "ocsp", "-issuer", pki.IssuerFile, "-cert", cert, "-url", pki.ResponderUrl.ToString(), "-CAfile", pki.CaFile, "-no_nonce" }),
        };
        foreach (var binary in binaries)
            commands.Add(($"ocspstaple get ({Describe(binary)})", binary, new[] { "get", cert }));

        var times = commands.Select(_ => new List<double>()).ToList();
        for (var run = 0; run < runs + 1; run++)
        {
            for (var c = 0; c < commands.Count; c++)
            {
                var (seconds, _) = await Timed.RunAsync(commands[c].Program, commands[c].Args);
                if (run > 0) // the first round warms the page cache for every binary alike
                    times[c].Add(seconds * 1000);
            }
        }
        var baseline = Median(times[0]);
        var rows = commands.Select((c, i) =>
            $"| {c.Name} | {Median(times[i]):0.0} ms | {times[i].Min():0.0} ms | {Median(times[i]) / baseline:0.00}x |").ToList();
        foreach (var row in rows)
            Console.WriteLine(row);
        Results.Write(resultsPath, "Startup: one certificate's get as a cold process (issue 11)", $"""
            One certificate, one local OpenSSL responder; each command a new process, the commands taking turns, {runs} runs
            each after one warm-up round. Both ask without a nonce, verify the answer (openssl with `-CAfile`, ocspstaple
            by default) and print the certificate's status. Rerun: `dotnet run -c Release --project bench/OcspStapling.Bench -- startup [--runs {runs}] [--binary PATH,PATH]`.

            | command | median | fastest | vs openssl |
            | --- | ---: | ---: | ---: |
            {string.Join("\n", rows)}
            """);
    }

    private static string Describe(string binary) =>
        Path.GetFileName(Path.GetDirectoryName(binary)) is { Length: > 0 } directory ? $"{directory}/{Path.GetFileName(binary)}" : binary;

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
