using System.Diagnostics;

namespace OcspStapling.Bench;

/// <summary>
/// Refresh N certificates into the store: `ocspstaple update DIR --store S --force` (one process) beside a shell loop of
/// `openssl ocsp … -respout` per certificate, against one local OpenSSL responder, with each side's peak memory.
/// </summary>
internal static class RefreshBenchmark
{
    public static async Task RunAsync(int count, int runs, string resultsPath)
    {
        await using var pki = await BenchPki.CreateAsync(count);
        var certs = Path.Combine(pki.Directory, "certs");
        Directory.CreateDirectory(certs);
        foreach (var file in pki.LeafFiles)
            File.Move(file, Path.Combine(certs, Path.GetFileName(file)));
        var ocspstaple = Path.Combine(AppContext.BaseDirectory, "ocspstaple");
        var loop = $"for f in {certs}/*.pem; do openssl ocsp -issuer {pki.IssuerFile} -cert \"$f\" -url {pki.ResponderUrl} -noverify -no_nonce -respout \"$f.der\" >/dev/null || exit 1; done";

        var store = Path.Combine(pki.Directory, "store");
        // Runs every 30 minutes, as the scale benchmark says: the responder's answers last an hour, and with update's
        // default interval they would expire before the next run, which update reports with exit code 3.
        string[] update = { "update", certs, "--store", store, "--force", "--concurrency", "8", "--interval", "30m" };
        // The first run of each creates its files (store entries with their lock files; -respout files): reported apart.
        var engineFirst = await TimedAsync(ocspstaple, update);
        var shellFirst = await TimedAsync("/bin/bash", "-c", loop);
        var engine = new List<(double Seconds, long PeakKiB)>();
        var inProcess = new List<double>();
        var shell = new List<(double Seconds, long PeakKiB)>();
        var bundles = OcspStapling.Engine.Certificates.CertificateSet.Load(new[] { certs }, null, OcspStapling.Engine.Operations.SilentLog.Instance).Certificates;
        var engineStore = Path.Combine(pki.Directory, "engine-store");
        await RefreshInProcessAsync(bundles, engineStore); // warm-up: JIT, connections, lock files
        for (var run = 0; run < runs; run++)
        {
            inProcess.Add(await RefreshInProcessAsync(bundles, engineStore));
            engine.Add(await TimedAsync(ocspstaple, update));
            shell.Add(await TimedAsync("/bin/bash", "-c", loop));
        }
        var hostPeak = PeakResidentKiB();
        var warm = inProcess.OrderBy(r => r).ElementAt(runs / 2);
        var e = engine.OrderBy(r => r.Seconds).ElementAt(runs / 2);
        var s = shell.OrderBy(r => r.Seconds).ElementAt(runs / 2);
        var engineRow = $"| {count} (engine in a warm process) | {warm:0.00} s | {count / warm:0} /s | {hostPeak / 1024.0:0.0} MiB (whole bench process) | {shellMedian(shell):0.00} s | {count / shellMedian(shell):0} /s | {shellMedian(shell) / warm:0.0}x |";
        var row = $"| {count} (ocspstaple update process) | {e.Seconds:0.00} s | {count / e.Seconds:0} /s | {engine.Max(r => r.PeakKiB) / 1024.0:0.0} MiB | {s.Seconds:0.00} s | {count / s.Seconds:0} /s | {s.Seconds / e.Seconds:0.0}x |";
        var first = $"| {count} (first run, files created) | {engineFirst.Seconds:0.00} s | {count / engineFirst.Seconds:0} /s | {engineFirst.PeakKiB / 1024.0:0.0} MiB | {shellFirst.Seconds:0.00} s | {count / shellFirst.Seconds:0} /s | {shellFirst.Seconds / engineFirst.Seconds:0.0}x |";
        Console.WriteLine(engineRow);
        Console.WriteLine(row);
        Console.WriteLine(first);
        Results.Write(resultsPath, "Refresh N certificates into the store (issue 4)", $"""
            One local OpenSSL responder (`-multi {BenchPki.ResponderProcesses}`, delegated RSA-2048 signer), {count} certificates in one directory.
            Product: `StapleRefresher`, Update-OcspStaple's engine, with `Force` and 8 in flight (fetch, verify, lock, atomic
            write of staple and sidecar per certificate), in a warm process as a PowerShell session or a listener hosts it;
            and the same as a cold `ocspstaple update DIR --store S --force --concurrency 8 --interval 30m` process, startup and JIT included. Baseline: a bash loop of `openssl ocsp -issuer … -cert … -url …
            -noverify -no_nonce -respout …`, one process per certificate. Wall time and peak resident memory
            (`/usr/bin/time -f %M`; the baseline's is its largest single process), median of {runs} alternating runs over
            existing outputs, as cron runs them; the first run, which also creates every file, is shown apart.
            Rerun: `dotnet run -c Release --project bench/OcspStapling.Bench -- refresh`.

            | N | update | rate | update peak memory | openssl loop | loop rate | speed-up |
            | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
            {engineRow}
            {row}
            {first}
            """);
    }

    private static double shellMedian(List<(double Seconds, long PeakKiB)> runs) => runs.OrderBy(r => r.Seconds).ElementAt(runs.Count / 2).Seconds;

    private static async Task<double> RefreshInProcessAsync(IReadOnlyList<OcspStapling.Engine.Certificates.CertificateBundle> bundles, string store)
    {
        var clock = Stopwatch.StartNew();
        using var refresher = new OcspStapling.Engine.Refresh.StapleRefresher(new OcspStapling.Engine.Refresh.RefreshOptions
        {
            Store = new OcspStapling.Engine.Store.StapleStore(store),
            Force = true,
            Concurrency = 8,
        });
        var summaries = await refresher.RefreshAsync(bundles);
        if (summaries.Any(s => s.Outcome != OcspStapling.Engine.Refresh.RefreshOutcome.Refreshed))
            throw new InvalidOperationException("an in-process refresh failed: " + summaries.First(s => s.Outcome != OcspStapling.Engine.Refresh.RefreshOutcome.Refreshed));
        return clock.Elapsed.TotalSeconds;
    }

    private static long PeakResidentKiB() =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);

    private static Task<(double Seconds, long PeakKiB)> TimedAsync(string program, params string[] args) => Timed.RunAsync(program, args);
}
