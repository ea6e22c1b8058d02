namespace OcspStapling.Tests.Support;

/// <summary>`openssl s_client -status`: what a real TLS client sees a server staple.</summary>
public static class SClient
{
    public static Task<ProcessOutput> StatusAsync(int port, string caFile, string serverName, string? protocol = null)
    {
        var args = new List<string> { "s_client", "-connect", $"127.0.0.1:{port}", "-status", "-CAfile", caFile, "-servername", serverName };
        if (protocol != null)
            args.Add(protocol);
        return ProcessRunner.RunAsync("openssl", args, stdin: "", timeout: TimeSpan.FromSeconds(20));
    }

    /// <summary>
    /// One HTTP request over `s_client -ign_eof`, so the client stays until the server answers and closes; TLS 1.3
    /// session tickets arrive after the handshake and would be missed by a client that leaves at once.
    /// </summary>
    public static Task<ProcessOutput> RequestAsync(int port, string protocol, params string[] more)
    {
        var args = new List<string> { "s_client", "-connect", $"127.0.0.1:{port}", "-ign_eof", protocol };
        args.AddRange(more);
        return ProcessRunner.RunAsync("openssl", args, stdin: "GET / HTTP/1.0\r\n\r\n", timeout: TimeSpan.FromSeconds(20));
    }
}
