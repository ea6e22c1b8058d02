namespace OcspStapling.Tests.Support;

/// <summary>HAProxy (Debian's 2.6) terminating TLS on a free loopback port, loading &lt;cert&gt;.ocsp, with an admin socket.</summary>
public sealed class HaproxyServer : IAsyncDisposable
{
    private readonly BackgroundProcess _process;

    private HaproxyServer(BackgroundProcess process, int port, string socket, string certificate)
    {
        _process = process;
        Port = port;
        AdminSocket = socket;
        Certificate = certificate;
    }

    public int Port { get; }

    /// <summary>The stats socket at admin level, for `set ssl ocsp-response`.</summary>
    public string AdminSocket { get; }

    /// <summary>The crt file HAProxy loaded (leaf, key, issuer); its staple sits beside it as .ocsp.</summary>
    public string Certificate { get; }

    public string Output => _process.Output;

    public bool HasExited => _process.HasExited;

    /// <summary>Writes site.pem (leaf, key, issuer: HAProxy needs the issuer to compute the CertID) and site.pem.ocsp, then starts.</summary>
    public static async Task<HaproxyServer> StartAsync(string directory, string leaf, string key, string issuer, string? staple)
    {
        var site = Path.Combine(directory, "haproxy-site.pem");
        File.WriteAllText(site, string.Join("\n", new[] { leaf, key, issuer }.Select(f => File.ReadAllText(f).Trim())) + "\n");
        if (staple != null)
            File.Copy(staple, site + ".ocsp", overwrite: true);
        var port = FreePort.Next();
        var socket = Path.Combine(directory, "haproxy-admin.sock");
        var config = Path.Combine(directory, "haproxy.cfg");
        File.WriteAllText(config, $"""
            global
                stats socket {socket} level admin
            defaults
                mode http
                timeout connect 5s
                timeout client 30s
                timeout server 30s
            frontend tls
                bind 127.0.0.1:{port} ssl crt {site}
                http-request return status 200 content-type text/plain string "haproxy ok"
            """ + "\n");
        var process = BackgroundProcess.Start("haproxy", new[] { "-f", config, "-db" }, directory);
        await FreePort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(10), () => process.Output);
        return new HaproxyServer(process, port, socket, site);
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
