using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using OcspStapling.Engine.Files;

namespace OcspStapling.Engine.Certificates;

/// <summary>A server certificate with its private key, and the intermediates to send after it.</summary>
public static class ServerCertificateFile
{
    private const int MaxPemBytes = 1024 * 1024;

    /// <param name="certificatePath">PEM (leaf first, chain after; key inside or in <paramref name="keyPath"/>) or PFX.</param>
    public static (X509Certificate2 Certificate, X509Certificate2Collection Intermediates) Load(string certificatePath, string? keyPath, string? pfxPassword)
    {
        var bundle = CertificateFile.Load(certificatePath, pfxPassword);
        var leaf = bundle.Leaf;
        if (!leaf.HasPrivateKey)
        {
            try
            {
                // Read as bounded regular files (a FIFO or device named as the key must not hang or fill memory).
                var certificatePem = Encoding.ASCII.GetString(RegularFile.Read(certificatePath, MaxPemBytes));
                var keyPem = keyPath != null ? Encoding.ASCII.GetString(RegularFile.Read(keyPath, MaxPemBytes)) : certificatePem;
                leaf = X509Certificate2.CreateFromPem(certificatePem, keyPem);
            }
            catch (Exception e) when (e is CryptographicException or IOException or ArgumentException)
            {
                var where = keyPath != null ? $"'{keyPath}'" : $"'{certificatePath}' (give the key file with --key/-KeyPath)";
                throw new StaplingException(FailureReason.CertificateUnreadable, keyPath ?? certificatePath,
                    $"No private key for '{certificatePath}' in {where}: {e.Message}.", e);
            }
        }
        var intermediates = new X509Certificate2Collection();
        foreach (var cert in bundle.Chain.Where(c => !c.RawData.AsSpan().SequenceEqual(leaf.RawData)))
            intermediates.Add(cert);
        return (leaf, intermediates);
    }
}
