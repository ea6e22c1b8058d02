using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine.Transport;
using OcspStapling.Engine.Verification;

namespace OcspStapling.Engine.Certificates;

/// <summary>The issuer found for a certificate and where it came from.</summary>
public sealed record LocatedIssuer(X509Certificate2 Certificate, IssuerSource Source, string? Origin);

/// <summary>
/// Finds the certificate that issued a leaf: explicit, HAProxy's &lt;file&gt;.issuer, same-file chain, trusted file,
/// then AIA caIssuers. The .issuer file comes before the chain because a site read by update carries it in its chain
/// too, and the output should name where the issuer really is.
/// </summary>
public sealed class IssuerLocator
{
    private readonly ResponderHttp _http;

    public IssuerLocator(ResponderHttp http) => _http = http;

    public async Task<LocatedIssuer> LocateAsync(CertificateBundle bundle, IReadOnlyList<X509Certificate2>? explicitIssuers, string? trustedFile, CancellationToken cancel)
    {
        var leaf = bundle.Leaf;
        if (explicitIssuers is { Count: > 0 })
        {
            return Pick(leaf, explicitIssuers) is { } given
                ? new LocatedIssuer(given, IssuerSource.Explicit, null)
                : throw NotFound(bundle, "the issuer given did not sign this certificate; give the certificate's real issuer");
        }
        if (bundle.SourcePath is { } source && IssuerFileBeside(source) is { } issuerFile && Pick(leaf, CertificateFile.ReadAll(issuerFile)) is { } beside)
            return new LocatedIssuer(beside, IssuerSource.IssuerFile, issuerFile);
        if (Pick(leaf, bundle.Chain) is { } inChain)
            return new LocatedIssuer(inChain, IssuerSource.Chain, bundle.SourcePath);
        if (trustedFile != null && Pick(leaf, CertificateFile.ReadAll(trustedFile)) is { } trusted)
            return new LocatedIssuer(trusted, IssuerSource.TrustedFile, trustedFile);

        foreach (var url in CertificateFacts.CaIssuerUrls(leaf))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
                continue;
            try
            {
                var body = await _http.GetAsync(uri, cancel).ConfigureAwait(false);
                var downloaded = new X509Certificate2Collection();
                downloaded.Import(body.Content); // DER, PEM or PKCS#7 (.p7c), as CAs publish them
                if (Pick(leaf, downloaded.ToList()) is { } fromAia)
                    return new LocatedIssuer(fromAia, IssuerSource.AiaDownload, url);
            }
            catch (Exception e) when (e is StaplingException or System.Security.Cryptography.CryptographicException)
            {
                // Try the next URL; the final error says what was tried.
            }
        }
        throw NotFound(bundle, "give it with --issuer/-Issuer, put it after the certificate in the same file or in <file>.issuer, or name a trusted-certificates file");
    }

    private static string? IssuerFileBeside(string certificateFile) =>
        File.Exists(certificateFile + ".issuer") ? certificateFile + ".issuer" : null;

    private static X509Certificate2? Pick(X509Certificate2 leaf, IEnumerable<X509Certificate2> candidates) =>
        candidates.FirstOrDefault(c => !ReferenceEquals(c, leaf) && CertificateFacts.NamesIssuer(leaf, c) && SignatureCheck.IsIssuedBy(leaf, c));

    private static StaplingException NotFound(CertificateBundle bundle, string what) =>
        new(FailureReason.IssuerNotFound, bundle.DisplayName, $"No issuer certificate found for '{bundle.DisplayName}' (issued by {bundle.Leaf.Issuer}): {what}.");
}
