using System.Diagnostics;
using System.Text;
using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Operations;

namespace OcspStapling.Bench;

/// <summary>
/// Fetch and verify N certificates: the engine (one process, pooled connections, bounded concurrency) beside the
/// "Priming the OCSP cache" blog's method, one `openssl ocsp -noverify -no_nonce -respout` process per certificate.
/// </summary>
internal static class FetchBenchmark
{
    public static int Concurrency { get; set; } = 4;

    public static async Task RunAsync(int[] counts, int runs, string resultsPath)
    {
        var rows = new List<string>();
        foreach (var count in counts)
        {
            await using var pki = await BenchPki.CreateAsync(count);
            var engine = new List<double>();
            var openssl = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                // Alternate A B A B so drift in the machine's speed hits both sides alike.
                engine.Add(await TimeAsync(() => EngineAsync(pki)));
                openssl.Add(await TimeAsync(() => OpenSslLoopAsync(pki)));
            }
            var e = Median(engine);
            var o = Median(openssl);
            var row = $"| {count} | {e * 1000:0.0} ms | {count / e:0} /s | {o * 1000:0.0} ms | {count / o:0} /s | {o / e:0.0}x |";
            Console.WriteLine(row);
            rows.Add(row);
        }
        Results.Write(resultsPath, "Fetch and verify N certificates (issue 2)", $"""
            One local OpenSSL responder (`openssl ocsp -index … -port … -multi {BenchPki.ResponderProcesses}`, delegated RSA-2048
            signer; with `-multi 1` the engine's rate is bounded by that one process). Engine: one process,
            `StapleFetcher` with pooled connections and {Concurrency} requests in flight, every response fully verified.
            Baseline: the blog's cron method, one `openssl ocsp -issuer … -cert … -url … -noverify -no_nonce -respout …`
            process per certificate, in sequence. Median of {runs} alternating runs; wall time includes everything.
            Rerun: `dotnet run -c Release --project bench/OcspStapling.Bench -- fetch`.

            | N | engine | engine rate | openssl loop | openssl rate | speed-up |
            | ---: | ---: | ---: | ---: | ---: | ---: |
            {string.Join("\n", rows)}
            """);
    }

    private static async Task EngineAsync(BenchPki pki)
    {
        using var fetcher = new StapleFetcher();
        var failures = 0;
        await Parallel.ForEachAsync(pki.LeafFiles, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (file, cancel) =>
        {
            var result = await fetcher.FetchAsync(CertificateFile.Load(file), FetchOptions.Default, cancel: cancel);
            if (!result.IsFitToStaple)
                Interlocked.Increment(ref failures);
        });
        if (failures > 0)
            throw new InvalidOperationException($"{failures} engine fetches were not good and verified");
    }

    private static async Task OpenSslLoopAsync(BenchPki pki)
    {
        foreach (var file in pki.LeafFiles)
        {
            var info = new ProcessStartInfo("openssl") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { "ocsp", "-issuer", pki.IssuerFile, "-cert", file, "-url", pki.ResponderUrl.ToString(), "-noverify", "-no_nonce", "-respout", file + ".der" })
                info.ArgumentList.Add(arg);
            using var process = Process.Start(info)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0 || !output.Contains(": good"))
                throw new InvalidOperationException($"openssl ocsp failed for {file}: {output}{await process.StandardError.ReadToEndAsync()}");
        }
    }

    private static async Task<double> TimeAsync(Func<Task> work)
    {
        var clock = Stopwatch.StartNew();
        await work();
        return clock.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted[sorted.Count / 2];
    }
}
