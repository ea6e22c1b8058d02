using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace OcspStapling.Engine.Tls;

/// <summary>
/// Which of a listener's certificates answers a TLS server name (SNI): an exact DNS name first, then a wildcard
/// (one label, as browsers match), else the first certificate, which also serves clients that send no name (nginx's
/// default server). Built once per set of certificates; a lookup is a dictionary probe or two.
/// </summary>
internal sealed class ServerNameTable<T> where T : class
{
    private readonly Dictionary<string, T> _exact = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, T> _wildcard = new(StringComparer.OrdinalIgnoreCase);

    public ServerNameTable(IReadOnlyList<(X509Certificate2 Certificate, T Value)> entries)
    {
        if (entries.Count == 0)
            throw new ArgumentException("A listener serves at least one certificate.", nameof(entries));
        Default = entries[0].Value;
        All = entries.Select(e => e.Value).ToList();
        // The first certificate to claim a name keeps it, as the first nginx server block with that name does.
        foreach (var (certificate, value) in entries)
        {
            foreach (var name in DnsNames(certificate))
            {
                if (name.StartsWith("*.", StringComparison.Ordinal))
                    _wildcard.TryAdd(name[2..], value);
                else
                    _exact.TryAdd(name, value);
            }
        }
    }

    public T Default { get; }

    public IReadOnlyList<T> All { get; }

    public T Pick(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName))
            return Default;
        var name = serverName.TrimEnd('.');
        if (_exact.TryGetValue(name, out var exact))
            return exact;
        var dot = name.IndexOf('.');
        return dot > 0 && _wildcard.TryGetValue(name[(dot + 1)..], out var wildcard) ? wildcard : Default;
    }

    /// <summary>The DNS names in the certificate's subjectAltName, or its CN when it has none (old certificates).</summary>
    public static IReadOnlyList<string> DnsNames(X509Certificate2 certificate)
    {
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                try
                {
                    return san.EnumerateDnsNames().ToList();
                }
                catch (Exception e) when (e is AsnContentException or System.Security.Cryptography.CryptographicException)
                {
                    return Array.Empty<string>(); // a malformed SAN names nothing; the certificate can still be the default
                }
            }
        }
        var cn = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        return string.IsNullOrEmpty(cn) ? Array.Empty<string>() : new[] { cn };
    }
}
