using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OcspStapling.Bench;

/// <summary>A server process under measurement, with the process ids whose memory counts.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Func<IReadOnlyList<int>> _ids;

    public ServerProcess(Process process, IPEndPoint endpoint, Func<IReadOnlyList<int>> ids)
    {
        _process = process;
        Endpoint = endpoint;
        _ids = ids;
    }

    public IPEndPoint Endpoint { get; }

    public Func<IReadOnlyList<int>> ProcessIds => _ids;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

internal static class Servers
{
    public static async Task<ServerProcess> StartNginxAsync(string dir, string fullchain, string key, string cafile, string staple)
    {
        var port = FreePort();
        var conf = Path.Combine(dir, "nginx.conf");
        var tmp = Directory.CreateDirectory(Path.Combine(dir, "nginx-tmp")).FullName;
        File.WriteAllText(conf, $$"""
            daemon off;
            master_process on;
            worker_processes 2;
            worker_rlimit_nofile 8192;
            user root;
            error_log {{dir}}/nginx-error.log warn;
            pid {{dir}}/nginx.pid;
            events { worker_connections 4096; }
            http {
                access_log off;
                client_body_temp_path {{tmp}};
                proxy_temp_path {{tmp}};
                server {
                    listen 127.0.0.1:{{port}} ssl;
                    ssl_certificate {{fullchain}};
                    ssl_certificate_key {{key}};
                    ssl_protocols TLSv1.2 TLSv1.3;
                    ssl_stapling on;
                    ssl_stapling_file {{staple}};
                    ssl_trusted_certificate {{cafile}};
                    location / { return 200 "ok\n"; }
                }
            }
            """);
        var process = Start("nginx", "-p", dir, "-c", conf);
        await WaitListeningAsync(port);
        return new ServerProcess(process, new IPEndPoint(IPAddress.Loopback, port), () => Tree(process.Id));
    }

    public static async Task<ServerProcess> StartListenerAsync(string fullchain, string key, string staple)
    {
        var port = FreePort();
        var program = Path.Combine(AppContext.BaseDirectory, "ocspstaple");
        // Resumption off on both sides, as nginx is configured here (ssl_session_cache off, ssl_session_tickets off).
        var process = Start(program, "listen", "--cert", fullchain, "--key", key, "--staple-file", staple, "--port", port.ToString());
        await WaitListeningAsync(port);
        return new ServerProcess(process, new IPEndPoint(IPAddress.Loopback, port), () => new[] { process.Id });
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
        new[] { root }.Concat(Directory.GetDirectories("/proc").Select(d => Path.GetFileName(d)).Where(n => n.All(char.IsDigit)).Select(int.Parse)
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

    private static Process Start(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitListeningAsync(int port)
    {
        for (var i = 0; i < 200; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        throw new TimeoutException($"nothing listened on port {port}");
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}
