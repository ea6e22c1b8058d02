using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine.Lab;
using OcspStapling.Engine.Protocol;

namespace OcspStapling.Tests.Support;

/// <summary>OpenSSL's own OCSP responder (`openssl ocsp -index … -port …`) on a free loopback port.</summary>
public sealed class OpenSslResponder : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _log = new();

    private OpenSslResponder(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}/");

    /// <summary>Starts a responder for <paramref name="pki"/>'s issuing CA knowing the given certificates.</summary>
    public static async Task<OpenSslResponder> StartAsync(LabPki pki, string directory, IEnumerable<(X509Certificate2 Cert, CertStatus Status)> entries, bool delegatedSigner, int processes = 1)
    {
        var index = Path.Combine(directory, "index.txt");
        File.WriteAllLines(index, entries.Where(e => e.Status != CertStatus.Unknown).Select(e => IndexLine(e.Cert, e.Status)));
        File.WriteAllText(index + ".attr", "unique_subject = no\n"); // a renewal has its predecessor's subject, as at a real CA
        var signer = delegatedSigner ? pki.DelegatedSigner! : pki.Issuer;
        var signerPem = LabFiles.WritePem(Path.Combine(directory, "rsigner.pem"), signer);
        var signerKey = Path.Combine(directory, "rsigner.key");
        File.WriteAllText(signerKey, LabPki.KeyPem(signer));
        var caPem = LabFiles.WritePem(Path.Combine(directory, "ocsp-ca.pem"), pki.Issuer);

        var port = FreePort.Next();
        var info = new ProcessStartInfo(Peers.Require("openssl"))
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "ocsp", "-index", index, "-port", port.ToString(), "-rsigner", signerPem, "-rkey", signerKey, "-CA", caPem, "-nmin", "60", "-ignore_err", "-timeout", "5" })
            info.ArgumentList.Add(arg);
        if (processes > 1)
        {
            info.ArgumentList.Add("-multi");
            info.ArgumentList.Add(processes.ToString());
        }
        var process = Process.Start(info)!;
        var responder = new OpenSslResponder(process, port);
        process.ErrorDataReceived += (_, e) => { lock (responder._log) responder._log.AppendLine(e.Data); };
        process.OutputDataReceived += (_, e) => { lock (responder._log) responder._log.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        // A probe connection that sends nothing would stall this single-threaded responder, so wait for its own word.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!responder.Log.Contains("waiting for OCSP client connections"))
        {
            if (DateTime.UtcNow > deadline || process.HasExited)
                throw new InvalidOperationException($"openssl ocsp did not start listening: {responder.Log}");
            await Task.Delay(20);
        }
        return responder;
    }

    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    public static string IndexLine(X509Certificate2 cert, CertStatus status)
    {
        var expiry = cert.NotAfter.ToUniversalTime().ToString("yyMMddHHmmss") + "Z";
        var serial = LabFiles.OpenSslSerial(cert);
        return status switch
        {
            CertStatus.Revoked => $"R\t{expiry}\t{DateTime.UtcNow.AddDays(-1):yyMMddHHmmss}Z,keyCompromise\t{serial}\tunknown\t/{cert.Subject}",
            // Not in the index at all is how OpenSSL says "unknown"; a line for it would make it good.
            _ => $"V\t{expiry}\t\t{serial}\tunknown\t/{cert.Subject}",
        };
    }

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
