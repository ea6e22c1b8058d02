using System.Diagnostics;
using System.Text.Json;

namespace OcspStapling.Bench;

/// <summary>
/// Issue 24 item 5: the module's pipeline against a CA 50 ms away (a <see cref="RemoteCa"/>), in the real pwsh with the
/// module as built. For each N, the same N certificates go through `Get-ChildItem *.pem | Get-OcspResponse` (default
/// -Concurrency 8, -ResponderConcurrency 4), the same with `-Concurrency 1`, and a `ForEach-Object { openssl ocsp … }`
/// loop (on the first <see cref="LoopSample"/> and extrapolated when N is larger). Each row is one pwsh process; its wall
/// time is the pipeline statement alone (pwsh start and Import-Module are reported apart). The front measures each
/// row's requests: their total time in it gives the polite limit, and the peak in flight shows the cap held.
/// Goal: the default pipeline within 1.5x of the polite limit and at least 3.5x the openssl loop, with the same
/// certificates, statuses and verification results.
/// </summary>
internal static class PipelineBenchmark
{
    public const string Title = "PowerShell pipelines against a CA 50 ms away (issue 24)";
    private const int LoopSample = 200;
    private const double PoliteGoal = 1.5;
    private const double LoopGoal = 3.5;
    private static readonly TimeSpan Distance = TimeSpan.FromMilliseconds(50);

    private sealed record Row(string Name, string Pipeline, int Certificates, double Seconds, double ImportSeconds, double ProcessSeconds,
        long StartTimestamp, long EndTimestamp, bool InOrder, int Errors, FrontStatistics Front, Dictionary<string, (string Status, bool Verified)> Outcomes);

    public static async Task RunAsync(int[] counts, int runs, string pwsh, string module, string? moduleNote, string resultsPath)
    {
        var loadBefore = LoadAverage();
        Console.WriteLine($"pwsh: {pwsh}\nmodule: {module}\nload average: {loadBefore}");
        var table = new List<string>();
        var detail = new List<string>();
        var verdicts = new List<string>();
        foreach (var count in counts)
        {
            await using var ca = await RemoteCa.CreateAsync(count, Distance);
            var sample = Math.Min(count, LoopSample);
            var issuer = ca.Pki.IssuerFile;
            var cafile = ca.Pki.CaFile;
            var pipelines = new (string Name, string Pipeline, int Certificates)[]
            {
                ("Get-OcspResponse (default -Concurrency 8)", "Get-ChildItem *.pem | Get-OcspResponse", count),
                ("Get-OcspResponse -Concurrency 1", "Get-ChildItem *.pem | Get-OcspResponse -Concurrency 1", count),
                ("openssl ocsp loop", "Get-ChildItem *.pem" + (sample < count ? $" | Select-Object -First {sample}" : "") +
                    $" | ForEach-Object {{ [pscustomobject]@{{ Path = $_.FullName; Text = (openssl ocsp -issuer {issuer} -cert $_.FullName -url {ca.Url} -CAfile {cafile} 2>&1) -join \"`n\" }} }}",
                    sample),
            };
            // Alternating runs, so a passing load weighs on every row alike; the median wall time per row is kept.
            var measured = pipelines.Select(_ => new List<Row>()).ToArray();
            for (var run = 0; run < runs; run++)
            {
                for (var i = 0; i < pipelines.Length; i++)
                {
                    var row = await MeasureAsync(pwsh, module, ca, pipelines[i]);
                    Console.WriteLine($"  {count} run {run + 1}: {row.Name}: {row.Seconds:0.00} s, polite limit {row.Front.PoliteLimit().TotalSeconds:0.00} s, " +
                        $"peak {row.Front.PeakInFlight}, {row.Front.Requests} requests, {Good(row)}/{row.Certificates} good+verified, errors {row.Errors}");
                    measured[i].Add(row);
                }
            }
            var rows = measured.Select(m => m.OrderBy(r => r.Seconds).ElementAt(m.Count / 2)).ToArray();
            var loop = rows[2];
            var loopSeconds = loop.Seconds * count / loop.Certificates;
            foreach (var row in rows)
            {
                var isLoop = ReferenceEquals(row, loop);
                var seconds = isLoop ? loopSeconds : row.Seconds;
                var polite = row.Front.PoliteLimit().TotalSeconds * (isLoop ? (double)count / loop.Certificates : 1);
                var ratio = row.Seconds / row.Front.PoliteLimit().TotalSeconds;
                var check = Agreement(row, rows);
                table.Add($"| {count:N0} | `{Shorten(row.Pipeline, issuer, cafile, ca.Url)}` | {seconds:0.00} s{(isLoop && loop.Certificates < count ? $" (from {loop.Certificates:N0})" : "")} | " +
                    $"{polite:0.00} s | {ratio:0.00}x | {(isLoop ? "1.0x" : $"{loopSeconds / seconds:0.0}x")} | {row.Front.PeakInFlight} | {check} |");
                var busy = row.Front.TimeAtLeast(1).TotalSeconds;
                var full = row.Front.TimeAtLeast(FrontStatistics.PoliteInFlight).TotalSeconds;
                var lead = Stopwatch.GetElapsedTime(row.StartTimestamp, row.Front.FirstRequestTimestamp).TotalSeconds;
                var tail = Stopwatch.GetElapsedTime(row.Front.LastAnswerTimestamp, row.EndTimestamp).TotalSeconds;
                detail.Add($"| {count:N0} | {row.Name} | {row.Front.Requests:N0} | {row.Front.MeanTimeInFront.TotalMilliseconds:0.0} ms | {lead:0.00} s | " +
                    $"{full:0.00} s | {busy - full:0.00} s | {Math.Max(0, row.Seconds - lead - tail - busy):0.00} s | {tail:0.00} s | {row.Front.Connections:N0} | {row.ImportSeconds:0.00} s | {row.ProcessSeconds:0.00} s |");
            }
            var product = rows[0];
            var politeRatio = product.Seconds / product.Front.PoliteLimit().TotalSeconds;
            var speedUp = loopSeconds / product.Seconds;
            var agrees = Agreement(product, rows).StartsWith($"{count:N0} / {count:N0}") && product.InOrder;
            verdicts.Add($"- {count:N0} certificates: {politeRatio:0.00}x the polite limit (goal ≤ {PoliteGoal}x: {(politeRatio <= PoliteGoal ? "holds" : $"**misses by {politeRatio / PoliteGoal:0.00}x**")}), " +
                $"{speedUp:0.0}x the openssl loop (goal ≥ {LoopGoal}x: {(speedUp >= LoopGoal ? "holds" : $"**misses by {LoopGoal / speedUp:0.00}x**")}), " +
                $"peak {product.Front.PeakInFlight} in flight (cap {FrontStatistics.PoliteInFlight}: {(product.Front.PeakInFlight <= FrontStatistics.PoliteInFlight ? "held" : "**exceeded**")}), " +
                $"results {(agrees ? "the same as the other rows' and in input order" : "**differ or out of order**")}.");
            Console.WriteLine(verdicts[^1]);
        }
        var loadAfter = LoadAverage();
        Results.Write(resultsPath, Title, $"""
            Issue 24 item 5. A CA 50 ms away (issue 25's definition): the certificates' AIA OCSP URL names a front on loopback
            (`bench/OcspStapling.Bench/DelayingFront.cs`, an HTTP/1.1 forwarder) that passes each request to one real
            `openssl ocsp -index … -rsigner … -nmin 60 -multi {BenchPki.ResponderProcesses}` responder (delegated RSA-2048 signer) and answers
            {Distance.TotalMilliseconds:0} ms after it did, measuring how long each request spends in it and how many are in it at once. Polite limit of
            a row = its requests' total time in the front / {FrontStatistics.PoliteInFlight} (the requests allowed in flight per responder host).
            Each row is one `pwsh -NoProfile -File` process (pwsh {PwshVersion(pwsh)}, the module imported from `{module}`{(string.IsNullOrEmpty(moduleNote) ? "" : $", {moduleNote}")}) in the directory
            of the N certificates (`siteK.pem`: leaf then issuer, nothing else there); wall time is the pipeline statement
            alone, `$r = @(PIPELINE)` inside a stopwatch; pwsh start and Import-Module are in the second table. The same
            certificates go through every row of a count. The openssl loop (the blog's method, one `openssl ocsp` process per
            certificate, with -CAfile so it verifies as the module does) wraps each process's output with its path for the check; for
            N above {LoopSample} it is timed on the first {LoopSample} certificates and its wall time and polite limit are extrapolated to N
            (said in the row). {(runs > 1 ? $"Median of {runs} alternating runs per row." : "One run per row.")}
            Load average (1, 5, 15 min) when the run started: {loadBefore}; when it ended: {loadAfter} ({Environment.ProcessorCount} cores).
            Rerun: `dotnet build bench/OcspStapling.Bench -c Release && dotnet run -c Release --project bench/OcspStapling.Bench -- pipeline --counts {string.Join(',', counts)}{(runs > 1 ? $" --runs {runs}" : "")}`
            (module from `--module PSD1`, default out/OcspStapling/<version>/ as `dotnet pwsh -NoProfile -Command './build.ps1 -Task Build'` leaves it;
            pwsh from `--pwsh PATH`, default `$PSHOME/pwsh` of the repository's `dotnet pwsh` tool).

            | certificates | pipeline (in the certificates' directory) | wall time | polite limit | wall / polite limit | speed-up over the openssl loop | peak in flight at the front | Good + verified |
            | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |
            {string.Join("\n", table)}

            {string.Join("\n", verdicts)}

            Where each row's wall time goes, on one clock (pwsh's Stopwatch and the front's, both CLOCK_MONOTONIC): from the
            pipeline's start to the first request reaching the front; then how long 4 (the cap), 1 to 3 and no requests were
            in the front; and from the last answer leaving the front to the pipeline's end (these five add up to the wall
            time). Also the connections the front accepted, and what the pwsh process spent around the pipeline:

            | certificates | pipeline | requests | mean time in front | before the first request | 4 in flight | 1–3 in flight | none in flight (between) | after the last answer | connections | Import-Module | whole pwsh process |
            | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
            {string.Join("\n", detail)}
            """);
    }

    private static async Task<Row> MeasureAsync(string pwsh, string module, RemoteCa ca, (string Name, string Pipeline, int Certificates) row)
    {
        var script = Path.Combine(ca.Pki.Directory, "pipeline.ps1");
        var outcomes = Path.Combine(ca.Pki.Directory, "outcomes.tsv");
        File.WriteAllText(script, $$"""
            param([string] $Module, [string] $Out)
            $ErrorActionPreference = 'Stop'
            $import = [System.Diagnostics.Stopwatch]::StartNew()
            Import-Module $Module
            $import.Stop()
            $ErrorActionPreference = 'Continue'
            $Error.Clear()
            $start = [System.Diagnostics.Stopwatch]::GetTimestamp()
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            $r = @({{row.Pipeline}})
            $clock.Stop()
            $end = [System.Diagnostics.Stopwatch]::GetTimestamp()
            $lines = foreach ($o in $r) {
                if ($o.PSObject.Properties['Text']) {
                    $status = if ($o.Text -match ': (good|revoked|unknown)\b') { (Get-Culture).TextInfo.ToTitleCase($Matches[1]) } else { 'None' }
                    "{0}`t{1}`t{2}" -f $o.Path, $status, ($o.Text -match 'Response verify OK')
                } else {
                    "{0}`t{1}`t{2}" -f $o.CertificatePath, $o.CertStatus, [bool] $o.Verified
                }
            }
            Set-Content -LiteralPath $Out -Value $lines
            $order = @(foreach ($o in $r) { if ($o.PSObject.Properties['Text']) { $o.Path } else { $o.CertificatePath } })
            $inOrder = ($order -join '|') -eq ((Get-ChildItem *.pem | Select-Object -First $order.Count).FullName -join '|')
            [pscustomobject]@{ Seconds = $clock.Elapsed.TotalSeconds; ImportSeconds = $import.Elapsed.TotalSeconds; Start = $start; End = $end; Frequency = [System.Diagnostics.Stopwatch]::Frequency; InOrder = $inOrder; Errors = $Error.Count } | ConvertTo-Json -Compress
            """);
        var info = new ProcessStartInfo(pwsh) { WorkingDirectory = ca.CertificateDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-NoProfile", "-NonInteractive", "-File", script, "-Module", module, "-Out", outcomes })
            info.ArgumentList.Add(arg);
        ca.Front.Reset();
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var processSeconds = clock.Elapsed.TotalSeconds;
        var front = ca.Front.Read();
        var text = await output;
        var json = text.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith('{'));
        if (process.ExitCode != 0 || json == null)
            throw new InvalidOperationException($"pwsh failed ({process.ExitCode}) on {row.Pipeline}:\n{text}\n{await error}");
        var summary = JsonDocument.Parse(json).RootElement;
        if (summary.GetProperty("Frequency").GetInt64() != Stopwatch.Frequency)
            throw new InvalidOperationException("pwsh's Stopwatch runs on another clock than this process's; the lead-in and tail cannot be placed");
        var results = File.ReadAllLines(outcomes).Where(l => l.Length > 0).Select(l => l.Split('\t'))
            .ToDictionary(f => f[0], f => (f[1], bool.Parse(f[2])));
        return new Row(row.Name, row.Pipeline, row.Certificates, summary.GetProperty("Seconds").GetDouble(), summary.GetProperty("ImportSeconds").GetDouble(),
            processSeconds, summary.GetProperty("Start").GetInt64(), summary.GetProperty("End").GetInt64(), summary.GetProperty("InOrder").GetBoolean(), summary.GetProperty("Errors").GetInt32(), front, results);
    }

    private static int Good(Row row) => row.Outcomes.Values.Count(o => o.Status == "Good" && o.Verified);

    /// <summary>"N / N, same as …": Good and verified out of the certificates the row covered, and whether every certificate the rows share has the same outcome.</summary>
    private static string Agreement(Row row, IReadOnlyList<Row> rows)
    {
        var differ = rows.Where(o => !ReferenceEquals(o, row)).Sum(other => other.Outcomes.Count(o => row.Outcomes.TryGetValue(o.Key, out var mine) && mine != o.Value));
        var missing = row.Certificates - row.Outcomes.Count;
        return $"{Good(row):N0} / {row.Certificates:N0}" + (missing > 0 ? $", {missing:N0} missing" : "") + (row.Errors > 0 ? $", {row.Errors} errors" : "") +
            (differ == 0 ? ", same as the other rows" : $", **{differ} outcomes differ**") + (row.InOrder ? "" : ", out of input order");
    }

    private static string Shorten(string pipeline, string issuer, string cafile, Uri url) =>
        pipeline.Replace(issuer, "issuer.pem").Replace(cafile, "cafile.pem").Replace(url.ToString(), "http://127.0.0.1:FRONT/").Replace("|", "\\|");

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string PwshVersion(string pwsh)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(pwsh, "-NoProfile -Command $PSVersionTable.PSVersion.ToString()") { RedirectStandardOutput = true })!;
            var v = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return v;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "?";
        }
    }

    /// <summary>The module folder build.ps1 -Task Build (or `dotnet publish src/OcspStapling -c Release`) leaves: out/OcspStapling/&lt;version&gt;/.</summary>
    public static string DefaultModule(string repo)
    {
        var root = Path.Combine(repo, "out", "OcspStapling");
        var manifests = Directory.Exists(root) ? Directory.GetFiles(root, "OcspStapling.psd1", SearchOption.AllDirectories) : Array.Empty<string>();
        return manifests.OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
            ?? throw new InvalidOperationException($"no module under {root}: build it with `dotnet tool restore && dotnet pwsh -NoProfile -Command './build.ps1 -Task Build'`, or pass --module PSD1");
    }

    /// <summary>pwsh itself, as the repository's local tool (dotnet-tools.json) installs it: `$PSHOME/pwsh`.</summary>
    public static string DefaultPwsh(string repo)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = repo, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "pwsh", "-NoProfile", "-Command", "Join-Path $PSHOME pwsh" })
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var path = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return process.ExitCode == 0 && File.Exists(path)
            ? path
            : throw new InvalidOperationException($"`dotnet pwsh` did not run in {repo} (run `dotnet tool restore` there), or pass --pwsh PATH: {process.StandardError.ReadToEnd()}");
    }
}
