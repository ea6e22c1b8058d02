using System.Security.Cryptography.X509Certificates;

namespace OcspStapling.Engine.Certificates;

/// <summary>A certificate to staple for, with whatever chain came with it.</summary>
/// <param name="Leaf">The certificate the staple is for.</param>
/// <param name="Chain">The other certificates from the same file or store, in their order there.</param>
/// <param name="SourcePath">The file it came from, when it came from a file.</param>
public sealed record CertificateBundle(X509Certificate2 Leaf, IReadOnlyList<X509Certificate2> Chain, string? SourcePath)
{
    public static CertificateBundle FromCertificate(X509Certificate2 leaf) => new(leaf, Array.Empty<X509Certificate2>(), null);

    /// <summary>How messages name this certificate: its file when it has one, else its subject.</summary>
    public string DisplayName => SourcePath ?? Leaf.Subject;
}
