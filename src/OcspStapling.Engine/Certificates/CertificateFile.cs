using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using OcspStapling.Engine.Files;

namespace OcspStapling.Engine.Certificates;

/// <summary>Reads certificates from PEM (one or a full chain), DER or PFX files.</summary>
public static class CertificateFile
{
    // Certificate files are small; a cap keeps a wrong path (a log, an image) from being read whole.
    private const long MaxFileBytes = 1024 * 1024;

    public static CertificateBundle Load(string path, string? pfxPassword = null) => Load(path, ReadBytes(path), pfxPassword);

    /// <summary>The certificate (the leaf) and its chain from a file's content, read already with <see cref="ReadBytes"/>.</summary>
    public static CertificateBundle Load(string path, byte[] bytes, string? pfxPassword)
    {
        var all = ReadAll(path, bytes, pfxPassword);
        var leaf = PickLeaf(all);
        var chain = all.Where(c => !ReferenceEquals(c, leaf)).ToList();
        return new CertificateBundle(leaf, chain, path);
    }

    /// <summary>Every certificate in the file, in file order.</summary>
    public static IReadOnlyList<X509Certificate2> ReadAll(string path, string? pfxPassword = null) => ReadAll(path, ReadBytes(path), pfxPassword);

    /// <summary>A certificate file's bytes (capped: a wrong path to a log or an image is refused, not read whole).</summary>
    public static byte[] ReadBytes(string path)
    {
        try
        {
            return RegularFile.Read(path, MaxFileBytes);
        }
        catch (FileRefusedException e)
        {
            throw Unreadable(path, e.Message, e);
        }
    }

    /// <summary>A PKCS#12 file, whose content reads differently with another password.</summary>
    public static bool IsPfx(byte[] bytes) => !LooksLikePem(bytes) && bytes.Length > 0 && X509Certificate2.GetCertContentType(bytes) == X509ContentType.Pfx;

    private static IReadOnlyList<X509Certificate2> ReadAll(string path, byte[] bytes, string? pfxPassword)
    {
        if (bytes.Length == 0)
            throw Unreadable(path, "the file is empty; give a PEM, DER or PFX certificate file");

        try
        {
            var certs = Parse(bytes, pfxPassword);
            if (certs.Count == 0)
                throw new StaplingException(FailureReason.NoCertificateInFile, path, $"Cannot read certificate '{path}': it holds no certificate; give a PEM, DER or PFX certificate file.");
            return certs;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or FormatException)
        {
            var hint = LooksLikePem(bytes) ? "the PEM is damaged" : "it is not a PEM, DER or PFX certificate (a PFX may need its password)";
            throw Unreadable(path, $"{hint}: {e.Message}", e);
        }
    }

    private static List<X509Certificate2> Parse(byte[] bytes, string? pfxPassword)
    {
        var collection = new X509Certificate2Collection();
        if (LooksLikePem(bytes))
            return ParsePem(Encoding.ASCII.GetString(bytes));
        if (X509Certificate2.GetCertContentType(bytes) == X509ContentType.Pfx)
        {
            collection.Import(bytes, pfxPassword, X509KeyStorageFlags.EphemeralKeySet | X509KeyStorageFlags.Exportable);
            return collection.ToList();
        }
        return new List<X509Certificate2> { new X509Certificate2(bytes) };
    }

    // Every CERTIFICATE block in file order, as X509Certificate2Collection.ImportFromPem reads them (other labels, such
    // as keys, are passed over). CA certificates recur in every full-chain file of a directory, so each distinct one is
    // parsed once per process (a parse costs about 0.1 ms; 10,000 sites share one issuer).
    private static List<X509Certificate2> ParsePem(string text)
    {
        var certs = new List<X509Certificate2>();
        var rest = text.AsMemory();
        // Each step moves past a whole BEGIN…END block, so the loop always advances.
        while (PemEncoding.TryFind(rest.Span, out var fields))
        {
            if (rest.Span[fields.Label].SequenceEqual("CERTIFICATE"))
            {
                var base64 = rest[fields.Base64Data].ToString();
                certs.Add(KnownAuthorities.TryGetValue(base64, out var known) ? known : Remember(base64, new X509Certificate2(Convert.FromBase64String(base64))));
            }
            rest = rest[fields.Location.End..];
        }
        return certs;
    }

    private const int MaxKnownAuthorities = 256;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, X509Certificate2> KnownAuthorities = new(StringComparer.Ordinal);

    private static X509Certificate2 Remember(string base64, X509Certificate2 certificate)
    {
        if (KnownAuthorities.Count < MaxKnownAuthorities && CertificateSummary.IsCertificateAuthority(certificate))
            KnownAuthorities.TryAdd(base64, certificate);
        return certificate;
    }

    // The leaf is the one with a private key (PFX), else the one that issued none of the others (a chain file may be in any order).
    private static X509Certificate2 PickLeaf(IReadOnlyList<X509Certificate2> certs)
    {
        var withKey = certs.FirstOrDefault(c => c.HasPrivateKey);
        if (withKey != null)
            return withKey;
        return certs.FirstOrDefault(c => !certs.Any(other => !ReferenceEquals(other, c) && CertificateFacts.NamesIssuer(other, c)))
            ?? certs[0];
    }

    private static bool LooksLikePem(byte[] bytes) =>
        Encoding.ASCII.GetString(bytes, 0, Math.Min(bytes.Length, 4096)).Contains("-----BEGIN ", StringComparison.Ordinal);

    private static StaplingException Unreadable(string path, string why, Exception? inner = null) =>
        new(FailureReason.CertificateUnreadable, path, $"Cannot read certificate '{path}': {why}.", inner);
}
