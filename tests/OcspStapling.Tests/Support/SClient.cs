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
}
