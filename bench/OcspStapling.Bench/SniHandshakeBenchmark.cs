using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Export;
using OcspStapling.Engine.Operations;
using OcspStapling.Tests.Support;

namespace OcspStapling.Bench;

/// <summary>
/// Issue 12's speed goal: stapled full handshakes per second with two certificates chosen by SNI, half the clients
/// asking for each name: the listener (`listen --cert A --cert B`, each front) beside nginx (a server block with its
/// own server_name, certificate and ssl_stapling_file per certificate), same load client, in one run.
/// </summary>
internal static class SniHandshakeBenchmark
{
    private static readonly string[] Names = { "alpha.sni.bench.test", "beta.sni.bench.test" };

    public static async Task RunAsync(int runs, TimeSpan duration, string resultsPath)
    {
        await using var alpha = ServedSite.Create(Names[0], "sni-alpha");
        await using var beta = ServedSite.Create(Names[1], "sni-beta");
        var sites = new[] { alpha, beta };
        var staples = new List<string>();
        using (var fetcher = new StapleFetcher())
        {
            foreach (var site in sites)
            {
                var staple = Path.Combine(site.Directory, "staple.der");
                StapleExport.Write(await fetcher.FetchAsync(CertificateFile.Load(site.FullChain), FetchOptions.Default), staple, StapleFormat.Der, force: false);
                staples.Add(staple);
            }
        }
        // One CA file naming both lab PKIs, for nginx's ssl_trusted_certificate.
        var caFile = Path.Combine(alpha.Directory, "both-cas.pem");
        File.WriteAllText(caFile, File.ReadAllText(alpha.CaFile) + File.ReadAllText(beta.CaFile));

        await using var nginx = await Servers.StartNginxAsync(alpha.Directory,
            sites.Select((s, i) => new NginxSite(Names[i], s.FullChain, s.Key, staples[i])).ToList(), caFile);
        // The listener fetches each certificate's staple from its lab responder before it listens (no store: nothing shared).
        string[] Listen(params string[] front) =>
            new[] { "--cert", alpha.FullChain, "--key", alpha.Key, "--cert", beta.FullChain, "--key", beta.Key, "--no-store" }.Concat(front).ToArray();
        await using var openSsl = await Servers.StartListenerAsync(Listen("--tls", "openssl", "--no-resumption"));
        await using var sslStream = await Servers.StartListenerAsync(Listen("--tls", "sslstream"));

        var rows = new List<string>();
        foreach (var (label, version) in new[] { ("TLS 1.2", 0x0303), ("TLS 1.3", 0x0304) })
        {
            var measured = new[] { openSsl, sslStream, nginx }.Select(_ => new List<(double Rate, double CpuMs)>()).ToArray();
            for (var run = 0; run < runs; run++)
            {
                measured[0].Add(HandshakeBenchmark.Load(openSsl, version, duration, n => Names[n % 2]));
                measured[1].Add(HandshakeBenchmark.Load(sslStream, version, duration, n => Names[n % 2]));
                measured[2].Add(HandshakeBenchmark.Load(nginx, version, duration, n => Names[n % 2]));
            }
            var (o, t, n) = (HandshakeBenchmark.Median(measured[0]), HandshakeBenchmark.Median(measured[1]), HandshakeBenchmark.Median(measured[2]));
            var row = $"| {label} | {o.Rate:0} /s | {t.Rate:0} /s | {n.Rate:0} /s | {o.Rate / n.Rate:0.00} | {t.Rate / n.Rate:0.00} | {o.CpuMs:0.00} / {t.CpuMs:0.00} / {n.CpuMs:0.00} ms |";
            Console.WriteLine(row);
            rows.Add(row);
        }
        Results.Write(resultsPath, "TLS handshakes with two certificates chosen by SNI (issue 12)", $"""
            As the single-certificate benchmark, with two RSA-2048 certificates (each from its own lab PKI and responder) on
            one port: half of the 50 clients ask for {Names[0]}, half for {Names[1]}; every handshake checked to carry a
            staple. Listener: `ocspstaple listen --cert A --key A --cert B --key B --no-store` (each certificate's staple
            fetched before listening), `--tls openssl --no-resumption` and `--tls sslstream`. nginx 1.22: two server blocks
            with `server_name`, `ssl_stapling_file` each, 2 workers, no session cache or tickets. Median of {runs} alternating
            runs of {duration.TotalSeconds:0} s. Rerun: `dotnet run -c Release --project bench/OcspStapling.Bench -- sni --runs {runs}`.

            | protocol | listener, OpenSSL front | listener, SslStream front | nginx | OpenSSL front / nginx | SslStream front / nginx | server CPU per handshake (OpenSSL / SslStream / nginx) |
            | --- | ---: | ---: | ---: | ---: | ---: | ---: |
            {string.Join("\n", rows)}
            """);
    }
}
