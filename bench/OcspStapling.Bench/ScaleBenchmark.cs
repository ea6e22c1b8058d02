using System.Diagnostics;

namespace OcspStapling.Bench;

/// <summary>
/// Issue 11's figures: for each N, one cold `ocspstaple update` process over N certificates against one local OpenSSL
/// responder: the first run (fetch all, create every file), a steady run (nothing due), each with peak memory, beside
/// the blog's `openssl ocsp … -respout` loop measured on a sample and extrapolated.
/// </summary>
internal static class ScaleBenchmark
{
    private const int LoopSample = 200;

    public static async Task RunAsync(int[] counts, string binary, string resultsPath)
    {
        var rows = new List<string>();
        foreach (var count in counts)
        {
            await using var pki = await BenchPki.CreateAsync(count);
            var certs = Path.Combine(pki.Directory, "certs");
            Directory.CreateDirectory(certs);
            foreach (var file in pki.LeafFiles)
                File.Move(file, Path.Combine(certs, Path.GetFileName(file)));
            // The responder's staples last an hour (-nmin 60): a half-hourly cron keeps them stapled.
            string[] update = { "update", certs, "--store", Path.Combine(pki.Directory, "store"), "--interval", "30m", "--quiet" };

            var first = await Timed.RunAsync(binary, update);
            var steady = await Timed.RunAsync(binary, update);
            var sample = Directory.GetFiles(certs, "*.pem").Take(LoopSample).ToList();
            var loop = $"for f in {string.Join(' ', sample)}; do openssl ocsp -issuer {pki.IssuerFile} -cert \"$f\" -url {pki.ResponderUrl} -noverify -no_nonce -respout \"$f.der\" >/dev/null || exit 1; done";
            var shell = await Timed.RunAsync("/bin/bash", "-c", loop);
            var loopSeconds = shell.Seconds * count / sample.Count;
            var row = $"| {count:N0} | {first.Seconds:0.00} s | {first.PeakKiB / 1024.0:0} MiB | {steady.Seconds:0.00} s | {steady.PeakKiB / 1024.0:0} MiB | " +
                $"{loopSeconds:0.0} s{(sample.Count < count ? $" (from {sample.Count})" : "")} | {loopSeconds / first.Seconds:0.0}x |";
            Console.WriteLine(row);
            rows.Add(row);
        }
        Results.Write(resultsPath, "Scale: N certificates per host (issue 11)", $"""
            One cold `{Path.GetFileName(binary)} update DIR --store S --interval 30m --quiet` process per figure (startup included; `{binary.Replace(Path.GetDirectoryName(Path.GetDirectoryName(binary)!)!, "…")}`),
            against one local OpenSSL responder (`-multi {BenchPki.ResponderProcesses}`, delegated RSA-2048 signer), N certificates in one
            directory, default concurrency. First run: every staple fetched, every store file created. Steady run: the same
            command again at once, nothing due. Peak memory: `/usr/bin/time -f %M`. Baseline: the blog's loop of
            `openssl ocsp -issuer … -cert … -url … -noverify -no_nonce -respout …`, one process per certificate,
            timed on the first {LoopSample} certificates and extrapolated to N (said in the row when so).
            Rerun: `dotnet run -c Release --project bench/OcspStapling.Bench -- scale --counts 1000,10000,100000`.

            | certificates | first run | first-run peak | steady run, nothing due | steady peak | openssl loop | first run vs loop |
            | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
            {string.Join("\n", rows)}
            """);
    }
}

/// <summary>A whole process timed from outside, with its peak resident memory from /usr/bin/time.</summary>
internal static class Timed
{
    public static async Task<(double Seconds, long PeakKiB)> RunAsync(string program, params string[] args)
    {
        var peakFile = Path.GetTempFileName();
        var info = new ProcessStartInfo("/usr/bin/time") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-f", "%M", "-o", peakFile, program }.Concat(args))
            info.ArgumentList.Add(arg);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var seconds = clock.Elapsed.TotalSeconds;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args.Take(3))} failed ({process.ExitCode}): {(await output)[..Math.Min(2000, (await output).Length)]}{await error}");
        var peak = long.Parse(File.ReadAllLines(peakFile).Last(l => l.Trim().Length > 0).Trim());
        File.Delete(peakFile);
        return (seconds, peak);
    }
}
