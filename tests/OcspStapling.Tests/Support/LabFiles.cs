using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine.Lab;

namespace OcspStapling.Tests.Support;

/// <summary>Writes a lab PKI's certificates as the PEM files peers and the CLI read.</summary>
public static class LabFiles
{
    public static string WritePem(string path, params X509Certificate2[] certificates)
    {
        File.WriteAllText(path, string.Concat(certificates.Select(c => c.ExportCertificatePem() + "\n")));
        return path;
    }

    /// <summary>leaf.pem alone, fullchain.pem (leaf + issuer), issuer.pem, root.pem, key.pem; returns the directory.</summary>
    public static string WriteAll(string directory, LabPki pki, X509Certificate2 leaf)
    {
        WritePem(Path.Combine(directory, "leaf.pem"), leaf);
        WritePem(Path.Combine(directory, "fullchain.pem"), leaf, pki.Issuer);
        WritePem(Path.Combine(directory, "issuer.pem"), pki.Issuer);
        WritePem(Path.Combine(directory, "root.pem"), pki.Root);
        WritePem(Path.Combine(directory, "cafile.pem"), pki.Issuer, pki.Root);
        File.WriteAllText(Path.Combine(directory, "key.pem"), pki.LeafKeyPem());
        return directory;
    }

    /// <summary>The serial as OpenSSL's index.txt spells it: whole bytes in upper-case hex, no leading zero bytes.</summary>
    public static string OpenSslSerial(X509Certificate2 cert)
    {
        var bytes = cert.SerialNumberBytes.ToArray().SkipWhile(b => b == 0).ToArray();
        return bytes.Length == 0 ? "00" : Convert.ToHexString(bytes);
    }
}
