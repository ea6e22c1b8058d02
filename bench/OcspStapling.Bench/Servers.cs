using System.Net;
using OcspStapling.Tests.Support;

namespace OcspStapling.Bench;

/// <summary>A server under measurement: where it listens, and the processes whose CPU and memory count.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly IAsyncDisposable _server;

    public ServerProcess(IAsyncDisposable server, int port, Func<IReadOnlyList<int>> processIds)
    {
        _server = server;
        Endpoint = new IPEndPoint(IPAddress.Loopback, port);
        ProcessIds = processIds;
    }

    public IPEndPoint Endpoint { get; }

    public Func<IReadOnlyList<int>> ProcessIds { get; }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}

/// <summary>The two servers of the handshake benchmark, started as the tests start them, and /proc readings of them.</summary>
internal static class Servers
{
    public static Task<ServerProcess> StartNginxAsync(string dir, string fullchain, string key, string cafile, string staple) =>
        StartNginxAsync(dir, new[] { new NginxSite(null, fullchain, key, staple) }, cafile);

    /// <summary>nginx with two workers and a server block per site (server_name per certificate).</summary>
    public static async Task<ServerProcess> StartNginxAsync(string dir, IReadOnlyList<NginxSite> sites, string cafile)
    {
        var nginx = await NginxServer.StartAsync(dir, sites, cafile, workers: 2);
        return new ServerProcess(nginx, nginx.Port, () => Tree(nginx.ProcessId));
    }

    /// <summary>`ocspstaple listen` with <paramref name="options"/> added (e.g. --tls sslstream).</summary>
    public static Task<ServerProcess> StartListenerAsync(string fullchain, string key, string staple, params string[] options) =>
        StartListenerAsync(new[] { "--cert", fullchain, "--key", key, "--staple-file", staple }.Concat(options).ToArray());

    /// <summary>`ocspstaple listen` with these arguments and a free port.</summary>
    public static async Task<ServerProcess> StartListenerAsync(string[] arguments)
    {
        var port = FreePort.Next();
        var listener = BackgroundProcess.Start(Path.Combine(AppContext.BaseDirectory, "ocspstaple"),
            new[] { "listen", "--port", port.ToString() }.Concat(arguments).ToArray());
        await listener.WaitForOutputAsync("listening on", TimeSpan.FromSeconds(30));
        return new ServerProcess(listener, port, () => new[] { listener.Id });
    }

    /// <summary>User + system CPU time of a process so far, from /proc (clock ticks of 10 ms).</summary>
    public static TimeSpan CpuTime(int pid)
    {
        var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return TimeSpan.FromMilliseconds((long.Parse(fields[11]) + long.Parse(fields[12])) * 10);
    }

    /// <summary>VmRSS in KiB from /proc.</summary>
    public static long ResidentKiB(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:"));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }

    private static IReadOnlyList<int> Tree(int root) =>
        new[] { root }.Concat(Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsDigit)).Select(n => int.Parse(n!))
            .Where(pid => ParentOf(pid) == root)).ToList();

    private static int ParentOf(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("PPid:"));
            return line == null ? -1 : int.Parse(line.Split(':')[1].Trim());
        }
        catch (IOException)
        {
            return -1;
        }
    }
}
