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
/// with each of its TLS fronts beside nginx (ssl_stapling_file, two workers), same certificate, key, staple, session
/// settings and load client, in one run. Then each server's resident memory with 1,000 idle TLS connections open.
/// </summary>
internal static class HandshakeBenchmark
{
    private const int Clients = 50;
    private const string ServerName = "bench.example.test";

    public static async Task RunAsync(int runs, TimeSpan duration, string resultsPath)
    {
        await using var site = ServedSite.Create(ServerName, "hbench");
        var (dir, fullchain, key, cafile) = (site.Directory, site.FullChain, site.Key, site.CaFile);
        var staple = Path.Combine(dir, "staple.der");
        using (var fetcher = new StapleFetcher())
            StapleExport.Write(await fetcher.FetchAsync(CertificateFile.Load(fullchain), FetchOptions.Default), staple, StapleFormat.Der, force: false);

        // nginx runs with ssl_session_cache and ssl_session_tickets off; the OpenSSL front gets the same with
        // --no-resumption. SslStream keeps its default: without resumption .NET builds an SSL_CTX per connection.
        await using var nginx = await Servers.StartNginxAsync(dir, fullchain, key, cafile, staple);
        await using var openSsl = await Servers.StartListenerAsync(fullchain, key, staple, "--tls", "openssl", "--no-resumption");
        await using var sslStream = await Servers.StartListenerAsync(fullchain, key, staple, "--tls", "sslstream");

        var rows = new List<string>();
        foreach (var (label, version) in new[] { ("TLS 1.2", 0x0303), ("TLS 1.3", 0x0304) })
        {
            var measured = new[] { openSsl, sslStream, nginx }.Select(_ => new List<(double Rate, double CpuMs)>()).ToArray();
            for (var run = 0; run < runs; run++)
            {
                measured[0].Add(Load(openSsl, version, duration));
                measured[1].Add(Load(sslStream, version, duration));
                measured[2].Add(Load(nginx, version, duration));
            }
            var (o, t, n) = (Median(measured[0]), Median(measured[1]), Median(measured[2]));
            var row = $"| {label} | {o.Rate:0} /s | {t.Rate:0} /s | {n.Rate:0} /s | {o.Rate / n.Rate:0.00} | {t.Rate / n.Rate:0.00} | {o.CpuMs:0.00} / {t.CpuMs:0.00} / {n.CpuMs:0.00} ms |";
            Console.WriteLine(row);
            rows.Add(row);
        }
        var memory = string.Join("\n", new[] { ("listener, OpenSSL front (one process)", openSsl), ("listener, SslStream front (one process)", sslStream), ("nginx (master + 2 workers)", nginx) }
            .Select(server => (server.Item1, Memory: IdleMemory(server.Item2.Endpoint, server.Item2.ProcessIds)))
            .Select(m => $"| {m.Item1} | {m.Memory.Before / 1024.0:0.0} MiB | {m.Memory.After / 1024.0:0.0} MiB | {(m.Memory.After - m.Memory.Before) / 1000.0:0.0} KiB |"));
        Console.WriteLine(memory);
        Results.Write(resultsPath, "TLS handshakes with a staple (issue 3)", $"""
            Full handshakes (no resumption), RSA-2048 leaf, each client asking for the staple (status_request) through
            the machine's OpenSSL (libssl.so.3), {Clients} concurrent clients for {duration.TotalSeconds:0} s per run on the same
            2 cores as the servers; every handshake checked to carry the staple. Median of {runs} alternating runs.
            Listener: `ocspstaple listen --staple-file …` with `--tls openssl --no-resumption` (the default front where
            libssl.so.3 exists: an epoll loop per core driving OpenSSL directly; session settings as nginx's here) and with
            `--tls sslstream` (.NET's SslStream, its defaults: with `--no-resumption` .NET builds an SSL_CTX per
            connection and falls to about 0.8x). nginx 1.22: `ssl_stapling_file`, 2 workers, `ssl_session_cache off`,
            `ssl_session_tickets off`.
            Rerun: `dotnet run -c Release --project bench/OcspStapling.Bench -- handshake --runs {runs}`.

            | protocol | listener, OpenSSL front | listener, SslStream front | nginx | OpenSSL front / nginx | SslStream front / nginx | server CPU per handshake (OpenSSL / SslStream / nginx) |
            | --- | ---: | ---: | ---: | ---: | ---: | ---: |
            {string.Join("\n", rows)}

            Resident memory (VmRSS, summed over the server's processes) before and with 1,000 idle TLS 1.3 connections open:

            | server | idle | 1,000 connections | per connection |
            | --- | ---: | ---: | ---: |
            {memory}
            """);
    }

    private static (double Rate, double CpuMs) Load(ServerProcess target, int version, TimeSpan duration) => Load(target, version, duration, _ => ServerName);

    /// <summary>Handshakes per second, and the server's CPU time per handshake; client n asks for <paramref name="serverName"/>(n).</summary>
    internal static (double Rate, double CpuMs) Load(ServerProcess target, int version, TimeSpan duration, Func<int, string> serverName)
    {
        var server = target.Endpoint;
        var cpuBefore = target.ProcessIds().Sum(pid => Servers.CpuTime(pid).TotalMilliseconds);
        var done = 0L;
        var unstapled = 0L;
        var stop = DateTime.UtcNow + duration;
        var clock = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, Clients).Select(n => new Thread(() =>
        {
            using var client = new OpenSslHandshakeClient(version);
            var name = serverName(n);
            while (DateTime.UtcNow < stop)
            {
                if (client.Handshake(server, name) == 0)
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

    internal static (double Rate, double CpuMs) Median(List<(double Rate, double CpuMs)> runs) => runs.OrderBy(r => r.Rate).ElementAt(runs.Count / 2);
}
