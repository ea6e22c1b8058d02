using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine.Lab;

namespace OcspStapling.Bench;

/// <summary>N leaf certificates under one lab CA, written as files, with OpenSSL's responder answering for all of them.</summary>
internal sealed class BenchPki : IAsyncDisposable
{
    private readonly LabPki _pki = LabPki.Create(new LabPkiOptions { WithDelegatedSigner = true });
    private Process? _responder;

    private BenchPki(string directory) => Directory = directory;

    /// <summary>`openssl ocsp -multi N`: the responder's own worker processes (one machine core each).</summary>
    public static int ResponderProcesses { get; set; } = 2;

    public string Directory { get; }

    public List<string> LeafFiles { get; } = new();

    public string IssuerFile => Path.Combine(Directory, "issuer.pem");

    public string CaFile => Path.Combine(Directory, "cafile.pem");

    public Uri ResponderUrl { get; private set; } = null!;

    public X509Certificate2 Issuer => _pki.Issuer;

    /// <param name="ocspUrl">Given the responder's URL, the OCSP URL the certificates name (a front before it); the responder's own by default.</param>
    public static async Task<BenchPki> CreateAsync(int count, Func<Uri, Uri>? ocspUrl = null)
    {
        var dir = System.IO.Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "ocspstaple-bench-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var bench = new BenchPki(dir);
        var port = OcspStapling.Tests.Support.FreePort.Next();
        bench.ResponderUrl = new Uri($"http://127.0.0.1:{port}/");
        var aia = (ocspUrl?.Invoke(bench.ResponderUrl) ?? bench.ResponderUrl).ToString();
        var index = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var leaf = bench._pki.IssueLeaf($"site{i}.bench.test", new[] { aia });
            var file = Path.Combine(dir, $"site{i}.pem");
            File.WriteAllText(file, leaf.ExportCertificatePem() + "\n" + bench._pki.Issuer.ExportCertificatePem() + "\n");
            bench.LeafFiles.Add(file);
            var serial = Convert.ToHexString(leaf.SerialNumberBytes.ToArray().SkipWhile(b => b == 0).ToArray());
            index.Add($"V\t{leaf.NotAfter.ToUniversalTime():yyMMddHHmmss}Z\t\t{serial}\tunknown\t/{leaf.Subject}");
        }
        File.WriteAllLines(Path.Combine(dir, "index.txt"), index);
        File.WriteAllText(bench.IssuerFile, bench._pki.Issuer.ExportCertificatePem() + "\n");
        File.WriteAllText(bench.CaFile, bench._pki.Issuer.ExportCertificatePem() + "\n" + bench._pki.Root.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(dir, "rsigner.pem"), bench._pki.DelegatedSigner!.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(dir, "rsigner.key"), LabPki.KeyPem(bench._pki.DelegatedSigner!));
        await bench.StartResponderAsync(port);
        return bench;
    }

    private async Task StartResponderAsync(int port)
    {
        var info = new ProcessStartInfo("openssl") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = Directory };
        foreach (var arg in new[] { "ocsp", "-index", "index.txt", "-port", port.ToString(), "-rsigner", "rsigner.pem", "-rkey", "rsigner.key", "-CA", "issuer.pem", "-nmin", "60", "-ignore_err", "-timeout", "5", "-multi", ResponderProcesses.ToString() })
            info.ArgumentList.Add(arg);
        _responder = Process.Start(info)!;
        _responder.ErrorDataReceived += (_, _) => { };
        _responder.OutputDataReceived += (_, _) => { };
        _responder.BeginErrorReadLine();
        _responder.BeginOutputReadLine();
        // With -multi the responder logs to syslog, so readiness is judged by a real answer.
        using var fetcher = new OcspStapling.Engine.Operations.StapleFetcher();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                await fetcher.FetchAsync(OcspStapling.Engine.Certificates.CertificateFile.Load(LeafFiles[0]), OcspStapling.Engine.Operations.FetchOptions.Default);
                return;
            }
            catch (OcspStapling.Engine.StaplingException) when (DateTime.UtcNow < deadline && !_responder.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_responder != null)
        {
            _responder.Kill(entireProcessTree: true);
            await _responder.WaitForExitAsync();
        }
        _pki.Dispose();
        // OCSPSTAPLE_BENCH_KEEP=1 leaves the certificates and store for profiling a run by hand.
        if (Environment.GetEnvironmentVariable("OCSPSTAPLE_BENCH_KEEP") == "1")
            Console.Error.WriteLine($"kept {Directory}");
        else
            System.IO.Directory.Delete(Directory, recursive: true);
    }
}
