using System.Diagnostics;

namespace OcspStapling.Tests.Support;

/// <summary>
/// Debian's redis-server on a free loopback port, in the foreground, persisting nothing (so a restart is an empty
/// Redis, as after a crash without persistence); killed and restarted by the fault tests.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string[] _options;
    private readonly int _plainPort;
    private Process? _process;

    private RedisServer(int port, string[] options, int? plainPort = null)
    {
        Port = port;
        _options = options;
        _plainPort = plainPort ?? port;
    }

    public int Port { get; }

    public string Url => $"redis://127.0.0.1:{Port}/0";

    /// <param name="options">More redis-server options, e.g. --requirepass.</param>
    public static async Task<RedisServer> StartAsync(params string[] options)
    {
        var server = new RedisServer(FreePort.Next(), options);
        await server.RestartAsync();
        return server;
    }

    /// <summary>TLS only (no plain port), with this certificate and key; clients are not asked for certificates.</summary>
    public static async Task<RedisServer> StartTlsAsync(string certificate, string key, string caFile)
    {
        var port = FreePort.Next();
        var server = new RedisServer(port, new[] { "--tls-port", port.ToString(), "--tls-cert-file", certificate, "--tls-key-file", key, "--tls-ca-cert-file", caFile, "--tls-auth-clients", "no" }, plainPort: 0);
        await server.RestartAsync();
        return server;
    }

    /// <summary>Starts it again on the same port (empty: nothing is saved); a no-op start when already running.</summary>
    public async Task RestartAsync()
    {
        if (_process is { HasExited: false })
            return;
        var info = new ProcessStartInfo(Peers.Require("redis-server")) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--port", _plainPort.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no" }.Concat(_options))
            info.ArgumentList.Add(arg);
        _process = Process.Start(info)!;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await FreePort.WaitUntilListeningAsync(Port, TimeSpan.FromSeconds(10), () => "redis-server did not start");
    }

    /// <summary>Kills it, as a crash or an outage would.</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } process)
            return;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
    }
}
