using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Export;
using OcspStapling.Engine.Lab;
using OcspStapling.Engine.Operations;
using OcspStapling.Tests.Support;

namespace OcspStapling.Bench;

/// <summary>
/// A long soak of `ocspstaple listen` (OpenSSL front): full handshakes from well-behaved clients while the staple file
/// is swapped every second and garbage clients (random bytes, half a ClientHello, connect-and-leave) hammer the same
/// port. Reports the listener's resident memory and open descriptors after warm-up and at the end: both must be flat.
/// </summary>
internal static class SoakBenchmark
{
    private const string ServerName = "soak.example.test";
    private const int GoodClients = 8;
    private const int GarbageClients = 4;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(30);

    public static async Task RunAsync(TimeSpan duration, string tls, string resultsPath)
    {
        await using var site = ServedSite.Create(ServerName, "soak");
        var (fullchain, key) = (site.FullChain, site.Key);
        var staple = Path.Combine(site.Directory, "staple.der");
        var staples = new List<byte[]>();
        using (var fetcher = new StapleFetcher())
        {
            for (var i = 0; i < 2; i++)
            {
                staples.Add((await fetcher.FetchAsync(CertificateFile.Load(fullchain), FetchOptions.Default)).Response.RawData);
                await Task.Delay(1100); // a different producedAt, so the two differ
            }
        }
        StapleExport.WriteFile(staple, staples[0]);

        await using var listener = await Servers.StartListenerAsync(fullchain, key, staple, "--tls", tls);
        var pid = listener.ProcessIds()[0];
        var endpoint = listener.Endpoint;
        using var stop = new CancellationTokenSource(duration);
        long handshakes = 0, unstapled = 0, failures = 0, garbage = 0, swaps = 0;

        var good = Enumerable.Range(0, GoodClients).Select(_ => new Thread(() =>
        {
            using var client = new OpenSslHandshakeClient(Random.Shared.Next(2) == 0 ? 0x0303 : 0x0304);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    if (client.Handshake(endpoint, ServerName) == 0)
                        Interlocked.Increment(ref unstapled);
                    Interlocked.Increment(ref handshakes);
                }
                catch (Exception e) when (e is IOException or SocketException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToList();
        var bad = Enumerable.Range(0, GarbageClients).Select(i => new Thread(() =>
        {
            var random = new Random(i);
            while (!stop.IsCancellationRequested)
            {
                Garbage(endpoint, random);
                Interlocked.Increment(ref garbage);
            }
        })).ToList();
        var swapper = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(1000);
                StapleExport.WriteFile(staple, staples[(int)(Interlocked.Increment(ref swaps) % 2)]);
            }
        });
        good.Concat(bad).ToList().ForEach(t => t.Start());

        await Task.Delay(WarmUp);
        var start = (Rss: Servers.ResidentKiB(pid), Fds: Descriptors(pid), Handshakes: Interlocked.Read(ref handshakes));
        Console.WriteLine($"after warm-up: {start.Rss / 1024.0:0.0} MiB, {start.Fds} descriptors");
        var clock = Stopwatch.StartNew();
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(30), CancellationToken.None);
            Console.WriteLine($"{clock.Elapsed:mm\\:ss} {Servers.ResidentKiB(pid) / 1024.0:0.0} MiB, {Descriptors(pid)} descriptors, {Interlocked.Read(ref handshakes)} handshakes, {Interlocked.Read(ref unstapled)} unstapled");
        }
        good.Concat(bad).ToList().ForEach(t => t.Join());
        await swapper;
        await Task.Delay(2000); // connections in the loop reach their end
        var end = (Rss: Servers.ResidentKiB(pid), Fds: Descriptors(pid));
        var row = $"| {tls} | {duration.TotalMinutes:0} min | {handshakes:N0} | {unstapled} | {failures} | {garbage:N0} | {swaps} | {start.Rss / 1024.0:0.0} MiB → {end.Rss / 1024.0:0.0} MiB | {start.Fds} → {end.Fds} |";
        Console.WriteLine(row);
        Results.Write(resultsPath, $"Listener soak, {tls} front (issue 9)", $"""
            `ocspstaple listen --tls {tls} --staple-file …` for {duration.TotalMinutes:0} minutes: {GoodClients} clients doing full
            handshakes (TLS 1.2 and 1.3, each asking for the staple) while the staple file is replaced every second with one of
            two valid staples, and {GarbageClients} garbage clients on the same port (random bytes, half a ClientHello then
            then hang-up, connect-and-leave). Resident memory (VmRSS) and open
            descriptors of the listener after a {WarmUp.TotalSeconds:0} s warm-up and at the end, after the clients stopped.
            Rerun: `dotnet run -c Release --project bench/OcspStapling.Bench -- soak --minutes {duration.TotalMinutes:0} --tls {tls}`.

            | front | duration | full handshakes | without staple | failed | garbage connections | staple swaps | RSS (warm → end) | descriptors (warm → end) |
            | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
            {row}
            """);
    }

    // One hostile connection: random bytes, a ClientHello cut short, or connect and leave at once.
    private static void Garbage(IPEndPoint endpoint, Random random)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Connect(endpoint);
            switch (random.Next(3))
            {
                case 0:
                    var bytes = new byte[random.Next(1, 2048)];
                    random.NextBytes(bytes);
                    socket.Send(bytes);
                    break;
                case 1:
                    socket.Send(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03 });
                    Thread.Sleep(random.Next(50));
                    break;
            }
        }
        catch (SocketException)
        {
        }
    }

    private static int Descriptors(int pid) => Directory.GetFiles($"/proc/{pid}/fd").Length;
}
