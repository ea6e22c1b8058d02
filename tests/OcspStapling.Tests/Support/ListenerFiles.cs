using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Tls;

namespace OcspStapling.Tests.Support;

/// <summary>Listener options for a lab leaf written by <see cref="LabResponderFixture.GoodLeaf"/>.</summary>
public static class ListenerFiles
{
    public static ListenerOptions Options(string fullchain, string? stapleFile = null)
    {
        var dir = Path.GetDirectoryName(fullchain)!;
        var leaf = X509Certificate2.CreateFromPemFile(Path.Combine(dir, "leaf.pem"), Path.Combine(dir, "key.pem"));
        var chain = new X509Certificate2Collection();
        foreach (var cert in CertificateFile.ReadAll(fullchain).Skip(1))
            chain.Add(cert);
        return new ListenerOptions { Certificates = [new ServedCertificate(leaf, chain)], StapleFile = stapleFile, FilePollInterval = TimeSpan.FromMilliseconds(100) };
    }
}
