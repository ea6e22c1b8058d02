using System.Diagnostics;

namespace OcspStapling.Tests.Support;

/// <summary>nginx (Debian's nginx-light) serving TLS on a free loopback port, optionally stapling a file.</summary>
public sealed class NginxServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _errorLog;

    private NginxServer(Process process, int port, string errorLog)
    {
        _process = process;
        Port = port;
        _errorLog = errorLog;
    }

    public int Port { get; }

    /// <summary>The master process (with workers, their parent).</summary>
    public int ProcessId => _process.Id;

    /// <summary>
    /// Starts nginx with <paramref name="stapleFile"/> as ssl_stapling_file; with <paramref name="responder"/> instead,
    /// nginx fetches its staples from that URL itself; with neither, stapling is off.
    /// </summary>
    public static async Task<NginxServer> StartAsync(string directory, string fullchain, string key, string caFile, string? stapleFile, int workers = 1, string protocols = "TLSv1.2 TLSv1.3", Uri? responder = null) =>
        await StartAsync(directory, new[] { new NginxSite(null, fullchain, key, stapleFile) }, caFile, workers, protocols, responder);

    /// <summary>One server block per site on the same port, chosen by server_name (SNI); the first is the default server.</summary>
    public static async Task<NginxServer> StartAsync(string directory, IReadOnlyList<NginxSite> sites, string caFile, int workers = 1, string protocols = "TLSv1.2 TLSv1.3", Uri? responder = null)
    {
        var port = FreePort.Next();
        var tmp = Directory.CreateDirectory(Path.Combine(directory, "nginx-tmp")).FullName;
        var errorLog = Path.Combine(directory, "nginx-error.log");
        string Stapling(string? stapleFile) => stapleFile != null
            ? $"ssl_stapling on; ssl_stapling_file {stapleFile}; ssl_trusted_certificate {caFile}; ssl_stapling_verify on;"
            : responder != null
                ? $"ssl_stapling on; ssl_stapling_responder {responder}; ssl_trusted_certificate {caFile}; ssl_stapling_verify on;"
                : "ssl_stapling off;";
        var servers = string.Join("\n", sites.Select((site, i) => $$"""
                server {
                    listen 127.0.0.1:{{port}} ssl{{(i == 0 ? " default_server" : "")}};
                    {{(site.ServerName != null ? $"server_name {site.ServerName};" : "")}}
                    ssl_certificate {{site.FullChain}};
                    ssl_certificate_key {{site.Key}};
                    ssl_protocols {{protocols}};
                    ssl_session_cache off;
                    ssl_session_tickets off;
                    {{Stapling(site.StapleFile)}}
                    location / { return 200 "nginx ok\n"; }
                }
            """));
        var config = $$"""
            daemon off;
            master_process {{(workers > 1 ? "on" : "off")}};
            worker_processes {{workers}};
            user root;
            worker_rlimit_nofile 8192;
            error_log {{errorLog}} info;
            pid {{Path.Combine(directory, "nginx.pid")}};
            events { worker_connections 4096; }
            http {
                access_log off;
                client_body_temp_path {{tmp}};
                proxy_temp_path {{tmp}};
            {{servers}}
            }
            """;
        var conf = Path.Combine(directory, "nginx.conf");
        File.WriteAllText(conf, config);
        var info = new ProcessStartInfo(Peers.Require("nginx")) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-p", directory, "-c", conf })
            info.ArgumentList.Add(arg);
        var process = Process.Start(info)!;
        var server = new NginxServer(process, port, errorLog);
        await FreePort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(10), () => server.ErrorLog);
        return server;
    }

    public string ErrorLog => File.Exists(_errorLog) ? File.ReadAllText(_errorLog) : "(no error log)";

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}

/// <summary>One nginx server block: its name (null: any), certificate, key and staple file.</summary>
public sealed record NginxSite(string? ServerName, string FullChain, string Key, string? StapleFile);
