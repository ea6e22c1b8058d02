using System.Diagnostics;
using OcspStapling.Engine.Lab;
using OcspStapling.Tests.Support;

namespace OcspStapling.Bench;

/// <summary>
/// Issue 13: three `update` processes at once (three hosts of a fleet) over the same certificates, sharing one store:
/// a directory (as hosts sharing a file system would) beside one Redis. Counts what the responder was asked, checks
/// that every host exported every staple, and times the three together.
/// </summary>
internal static class FleetBenchmark
{
    private const int Hosts = 3;

    public static async Task RunAsync(int count, string binary, string resultsPath)
    {
        var dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "ocspstaple-fleet-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        using var pki = LabPki.Create();
        await using var responder = new LabResponder(pki);
        var certs = Directory.CreateDirectory(Path.Combine(dir, "certs")).FullName;
        for (var i = 0; i < count; i++)
        {
            using var leaf = pki.IssueLeaf($"site{i}.fleet.test", new[] { responder.Url.ToString() });
            responder.Add(leaf);
            File.WriteAllText(Path.Combine(certs, $"site{i}.pem"), leaf.ExportCertificatePem() + "\n" + pki.Issuer.ExportCertificatePem() + "\n");
        }
        await using var redis = await RedisServer.StartAsync();
        try
        {
            var rows = new List<string>();
            foreach (var (label, store) in new[] { ("directory (one shared directory)", Path.Combine(dir, "store")), ("Redis (one redis-server)", redis.Url) })
            {
                var before = responder.RequestCount;
                var exports = Enumerable.Range(0, Hosts).Select(h => Path.Combine(dir, $"host{h}-{rows.Count}")).ToList();
                var clock = Stopwatch.StartNew();
                await Task.WhenAll(exports.Select(export => Timed.RunAsync(binary, "update", certs, "--store", store, "--export-dir", export, "--concurrency", "8", "--quiet")));
                var seconds = clock.Elapsed.TotalSeconds;
                var asked = responder.RequestCount - before;
                var exported = exports.Select(e => Directory.GetFiles(e, "*.ocsp").Length).ToList();
                var row = $"| {label} | {count:N0} | {asked:N0} | {string.Join(" / ", exported.Select(e => e.ToString("N0")))} | {seconds:0.00} s |";
                Console.WriteLine(row);
                rows.Add(row);
            }
            Results.Write(resultsPath, "Fleet: three hosts refreshing one store (issue 13)", $"""
                {count:N0} certificates, one in-process lab responder (it counts requests), {Hosts} `{Path.GetFileName(binary)} update CERTS --store S
                --export-dir HOST_DIR --concurrency 8` processes started together on this machine (one per "host", each with its own
                export directory), first run (empty store). Redis: Debian's redis-server 7 on loopback, nothing persisted.
                Rerun: `dotnet run -c Release --project bench/OcspStapling.Bench -- fleet [--counts {count}] [--binary PATH]`.

                | store | certificates | responder asked | staples exported per host | wall time, all three |
                | --- | ---: | ---: | ---: | ---: |
                {string.Join("\n", rows)}

                Every certificate is fetched once by whichever host takes its entry's lock first; the others wait, find the entry
                fresh and export it. The directory row is the same protocol over flock on one file system (what hosts sharing an
                NFS mount would rely on, with NFS's lock caveats); Redis gives it to hosts that share nothing but the network.
                """);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
