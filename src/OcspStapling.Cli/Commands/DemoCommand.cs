using System.CommandLine;
using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Export;
using OcspStapling.Engine.Lab;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Tls;

namespace OcspStapling.Cli.Commands;

/// <summary>
/// `ocspstaple demo`: the whole job on a throwaway PKI and an in-process responder on loopback, so a newcomer sees
/// every step work (and a refusal) without a CA, a network or a web server.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(CliContext context)
    {
        var directory = new Option<string?>("--dir") { Description = "Keep the demo's files here (default: a temporary directory, removed afterwards)" };
        var command = new Command("demo", "Run fetch, verify, export, serve and probe against a throwaway PKI and responder on 127.0.0.1") { directory };
        command.SetAction((parse, cancel) => context.GuardAsync("demo", false, () => RunAsync(context, parse.GetValue(directory), cancel)));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string? keep, CancellationToken cancel)
    {
        var output = context.Output;
        var dir = keep ?? Path.Combine(Path.GetTempPath(), "ocspstaple-demo-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            output.WriteLine("1. A throwaway PKI: root, issuing CA, delegated OCSP signer, and an OCSP responder on 127.0.0.1.");
            using var pki = LabPki.Create();
            await using var responder = new LabResponder(pki) { UseDelegatedSigner = true };
            var site = pki.IssueLeaf("shop.demo.test", new[] { responder.Url.ToString() });
            var revoked = pki.IssueLeaf("old.demo.test", new[] { responder.Url.ToString() });
            responder.Add(site);
            responder.SetStatus(revoked, CertStatus.Revoked);
            var sitePem = WriteChain(Path.Combine(dir, "site.pem"), site, pki.Issuer);
            var revokedPem = WriteChain(Path.Combine(dir, "old.pem"), revoked, pki.Issuer);
            output.WriteLine($"   responder {responder.Url}, certificates in {dir}");

            output.WriteLine("2. Fetch and verify the staple for site.pem (responder from its AIA extension):");
            using var fetcher = new StapleFetcher();
            var result = await fetcher.FetchAsync(CertificateFile.Load(sitePem), FetchOptions.Default, context.Log, cancel);
            ResultPrinter.Write(output, result, json: false, "demo");

            output.WriteLine("3. Export it for nginx (ssl_stapling_file) and HAProxy (site.pem.ocsp, and base64 for 'set ssl ocsp-response'):");
            var der = Path.Combine(dir, "site.pem.ocsp");
            StapleExport.Write(result, der, StapleFormat.Der, force: false);
            StapleExport.Write(result, der + ".b64", StapleFormat.Base64, force: false);
            output.WriteLine($"   wrote {der} ({new FileInfo(der).Length} bytes) and {der}.b64");

            output.WriteLine("4. Verify the exported file as a server would load it:");
            var check = await StapleFileCheck.CheckAsync(der, CertificateFile.Load(sitePem), FetchOptions.Default, cancel);
            ResultPrinter.Write(output, check, json: false, "demo");

            output.WriteLine("5. A revoked certificate is reported, and its staple is not written:");
            var bad = await fetcher.FetchAsync(CertificateFile.Load(revokedPem), FetchOptions.Default, context.Log, cancel);
            ResultPrinter.Write(output, bad, json: false, "demo");
            var badOut = Path.Combine(dir, "old.pem.ocsp");
            try
            {
                StapleExport.Write(bad, badOut, StapleFormat.Der, force: false);
            }
            catch (Engine.StaplingException refusal)
            {
                output.WriteLine($"   refused: {refusal.Message}");
            }

            output.WriteLine("6. Serve TLS with that staple from the first connection (the stapling listener on 127.0.0.1):");
            var (certificate, intermediates) = ServerCertificateFile.Load(sitePem, WriteKey(Path.Combine(dir, "site.key"), pki), null);
            await using var listener = await StaplingListener.StartAsync(
                new ListenerOptions { Certificates = [new ServedCertificate(certificate, intermediates)], StapleFile = der }, context.Log, cancel);
            output.WriteLine($"   {listener}");
            output.WriteLine($"   TLS by {listener.TlsImplementation}");

            output.WriteLine("7. Probe it as a client would (TLS 1.2 ClientHello asking for the staple):");
            var probe = await StapleProbe.ProbeAsync("127.0.0.1", listener.Endpoint.Port, "shop.demo.test", FetchOptions.Default, TimeSpan.FromSeconds(10), cancel);
            ProbePrinter.Write(output, probe, json: false);

            var ok = result.IsFitToStaple && check.IsFitToStaple && !bad.IsFitToStaple && !File.Exists(badOut) && probe.Passed;
            output.WriteLine(ok ? "Demo complete: every step behaved as it should." : "Demo FAILED: see the steps above.");
            return ok ? ExitCodes.Good : ExitCodes.NotGood;
        }
        finally
        {
            if (keep == null)
                Directory.Delete(dir, recursive: true);
        }
    }

    private static string WriteKey(string path, LabPki pki)
    {
        File.WriteAllText(path, pki.LeafKeyPem());
        return path;
    }

    private static string WriteChain(string path, params System.Security.Cryptography.X509Certificates.X509Certificate2[] certificates)
    {
        File.WriteAllText(path, string.Concat(certificates.Select(c => c.ExportCertificatePem() + "\n")));
        return path;
    }
}
