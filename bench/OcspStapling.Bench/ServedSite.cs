using OcspStapling.Engine.Lab;

namespace OcspStapling.Bench;

/// <summary>One lab leaf for a server under measurement: its PKI and responder, and its files in a temporary directory.</summary>
internal sealed class ServedSite : IAsyncDisposable
{
    private ServedSite(string directory, LabPki pki, LabResponder responder)
    {
        Directory = directory;
        Pki = pki;
        Responder = responder;
    }

    public string Directory { get; }

    public LabPki Pki { get; }

    public LabResponder Responder { get; }

    public string FullChain => Path.Combine(Directory, "fullchain.pem");

    public string Key => Path.Combine(Directory, "key.pem");

    public string CaFile => Path.Combine(Directory, "cafile.pem");

    /// <summary>A leaf for <paramref name="serverName"/> answered "good" by the lab responder, written as fullchain, key and CA file.</summary>
    public static ServedSite Create(string serverName, string purpose)
    {
        var dir = System.IO.Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"ocspstaple-{purpose}-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var pki = LabPki.Create();
        var responder = new LabResponder(pki);
        var leaf = pki.IssueLeaf(serverName, new[] { responder.Url.ToString() });
        responder.Add(leaf);
        var site = new ServedSite(dir, pki, responder);
        File.WriteAllText(site.FullChain, leaf.ExportCertificatePem() + "\n" + pki.Issuer.ExportCertificatePem() + "\n");
        File.WriteAllText(site.Key, pki.LeafKeyPem() + "\n");
        File.WriteAllText(site.CaFile, pki.Issuer.ExportCertificatePem() + "\n" + pki.Root.ExportCertificatePem() + "\n");
        return site;
    }

    public async ValueTask DisposeAsync()
    {
        await Responder.DisposeAsync();
        Pki.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
