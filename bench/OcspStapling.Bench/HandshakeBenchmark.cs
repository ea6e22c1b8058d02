using System.Diagnostics;
using System.Net;
using OcspStapling.Engine.Export;
using OcspStapling.Engine.Lab;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Certificates;
using OcspStapling.Tests.Support;

namespace OcspStapling.Bench;

/// <summary>
/// Full TLS handshakes per second with a stapled response: the stapling listener (`ocspstaple listen`, one process)
/// beside nginx (ssl_stapling_file, two workers), same certificate, key, staple and load client, in one run.
/// Then each server's resident memory with 1,000 idle TLS connections open.
/// </summary>
internal static class HandshakeBenchmark
{
    private const int Clients = 50;
    private const string ServerName = "bench.example.test";

    public static async Task RunAsync(int runs, TimeSpan duration, string resultsPath)
    {
        var dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "ocspstaple-hbench-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        try
        {
            using var pki = LabPki.Create();
            await using var responder = new LabResponder(pki);
            var leaf = pki.IssueLeaf(ServerName, new[] { responder.Url.ToString() });
            responder.Add(leaf);
            var fullchain = Write(dir, "fullchain.pem", leaf.ExportCertificatePem() + "\n" + pki.Issuer.ExportCertificatePem() + "\n");
            var key = Write(dir, "key.pem", pki.LeafKeyPem() + "\n");
            var cafile = Write(dir, "cafile.pem", pki.Issuer.ExportCertificatePem() + "\n" + pki.Root.ExportCertificatePem() + "\n");
            var staple = Path.Combine(dir, "staple.der");
            using (var fetcher = new StapleFetcher())
                StapleExport.Write(await fetcher.FetchAsync(CertificateFile.Load(fullchain), FetchOptions.Default), staple, StapleFormat.Der, force: false);

            await using var nginx = await Servers.StartNginxAsync(dir, fullchain, key, cafile, staple);
            await using var listener = await Servers.StartListenerAsync(fullchain, key, staple);

            var rows = new List<string>();
            foreach (var (label, version) in new[] { ("TLS 1.2", 0x0303), ("TLS 1.3", 0x0304) })
            {
                var listenerRuns = new List<(double Rate, double CpuMs)>();
                var nginxRuns = new List<(double Rate, double CpuMs)>();
                for (var run = 0; run < runs; run++)
                {
                    listenerRuns.Add(Load(listener, version, duration));
                    nginxRuns.Add(Load(nginx, version, duration));
                }
                var l = listenerRuns.OrderBy(r => r.Rate).ElementAt(runs / 2);
                var n = nginxRuns.OrderBy(r => r.Rate).ElementAt(runs / 2);
                var row = $"| {label} | {l.Rate:0} /s | {n.Rate:0} /s | {l.Rate / n.Rate:0.00} | {l.CpuMs:0.00} ms | {n.CpuMs:0.00} ms |";
                Console.WriteLine(row);
                rows.Add(row);
            }
            var listenerMemory = IdleMemory(listener.Endpoint, listener.ProcessIds);
            var nginxMemory = IdleMemory(nginx.Endpoint, nginx.ProcessIds);
            var memory = $"| listener (one process) | {listenerMemory.Before / 1024.0:0.0} MiB | {listenerMemory.After / 1024.0:0.0} MiB | {(listenerMemory.After - listenerMemory.Before) / 1000.0:0.0} KiB |\n" +
                         $"| nginx (master + 2 workers) | {nginxMemory.Before / 1024.0:0.0} MiB | {nginxMemory.After / 1024.0:0.0} MiB | {(nginxMemory.After - nginxMemory.Before) / 1000.0:0.0} KiB |";
            Console.WriteLine(memory);
            Results.Write(resultsPath, "TLS handshakes with a staple (issue 3)", $"""
                Full handshakes (no resumption), RSA-2048 leaf, each client asking for the staple (status_request) through
                the machine's OpenSSL (libssl.so.3), {Clients} concurrent clients for {duration.TotalSeconds:0} s per run on the same
                2 cores as the server; every handshake checked to carry the staple. Median of {runs} alternating runs.
                Listener: `ocspstaple listen --staple-file` (SslStream, defaults). nginx 1.22: `ssl_stapling_file`, 2 workers, session
                cache and tickets off. Rerun: `dotnet run -c Release --project bench/OcspStapling.Bench -- handshake`.

                | protocol | listener | nginx | listener / nginx | listener CPU per handshake | nginx CPU per handshake |
                | --- | ---: | ---: | ---: | ---: | ---: |
                {string.Join("\n", rows)}

                Resident memory (VmRSS, summed over the server's processes) before and with 1,000 idle TLS 1.3 connections open:

                | server | idle | 1,000 connections | per connection |
                | --- | ---: | ---: | ---: |
                {memory}
                """);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Handshakes per second, and the server's CPU time per handshake.</summary>
    private static (double Rate, double CpuMs) Load(ServerProcess target, int version, TimeSpan duration)
    {
        var server = target.Endpoint;
        var cpuBefore = target.ProcessIds().Sum(pid => Servers.CpuTime(pid).TotalMilliseconds);
        var done = 0L;
        var unstapled = 0L;
        var stop = DateTime.UtcNow + duration;
        var clock = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, Clients).Select(_ => new Thread(() =>
        {
            using var client = new OpenSslHandshakeClient(version);
            while (DateTime.UtcNow < stop)
            {
                if (client.Handshake(server, ServerName) == 0)
                    Interlocked.Increment(ref unstapled);
                Interlocked.Increment(ref done);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        if (unstapled > 0)
            throw new InvalidOperationException($"{unstapled} of {done} handshakes with {server} carried no staple");
        var cpu = target.ProcessIds().Sum(pid => Servers.CpuTime(pid).TotalMilliseconds) - cpuBefore;
        return (done / clock.Elapsed.TotalSeconds, cpu / done);
    }

    private static (long Before, long After) IdleMemory(IPEndPoint server, Func<IReadOnlyList<int>> processIds)
    {
        GC.Collect();
        Thread.Sleep(500);
        var before = processIds().Sum(Servers.ResidentKiB);
        using var client = new OpenSslHandshakeClient(0x0304);
        var open = Enumerable.Range(0, 1000).Select(_ => client.Open(server, ServerName)).ToList();
        Thread.Sleep(1000);
        var after = processIds().Sum(Servers.ResidentKiB);
        open.ForEach(OpenSslHandshakeClient.Close);
        return (before, after);
    }

    private static string Write(string dir, string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static double Median(List<double> values) => values.OrderBy(v => v).ElementAt(values.Count / 2);
}
