using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Transport;
using OcspStapling.Engine.Verification;

namespace OcspStapling.Engine.Operations;

/// <summary>
/// Fetch and verify: find the issuer, ask the responders in order until one answers, judge the answer.
/// Reuse one instance for many certificates: it pools connections.
/// </summary>
public sealed class StapleFetcher : IDisposable
{
    private readonly ResponderHttp _http;
    private readonly IssuerLocator _issuers;

    public StapleFetcher(TransportOptions? transport = null)
    {
        _http = new ResponderHttp(transport ?? new TransportOptions());
        _issuers = new IssuerLocator(_http);
    }

    public async Task<OcspResult> FetchAsync(CertificateBundle certificate, FetchOptions options, IOperationLog? log = null, CancellationToken cancel = default)
    {
        log ??= SilentLog.Instance;
        var issuer = await _issuers.LocateAsync(certificate, options.Issuers, options.TrustedCertificatesFile, cancel).ConfigureAwait(false);
        log.Verbose($"{certificate.DisplayName}: issuer '{issuer.Certificate.Subject}' from {Describe(issuer)}.");

        var responders = ResponderUrls(certificate, options);
        var request = OcspRequestMessage.Create(CertId.For(certificate.Leaf, issuer.Certificate, options.Hash), options.Nonce);

        StaplingException? lastFailure = null;
        OcspResult? refusal = null;
        foreach (var url in responders)
        {
            try
            {
                var (body, method) = await OcspExchange.SendAsync(_http, url, request, cancel).ConfigureAwait(false);
                var response = Decode(body);
                var verdict = OcspVerifier.Verify(response, certificate.Leaf, issuer.Certificate, request.Nonce, options.Verification, DateTimeOffset.UtcNow);
                var result = new OcspResult(certificate, issuer, url.ToString(), method, response, verdict, options.SkipVerification);
                log.Verbose($"{certificate.DisplayName}: {method} {url} answered: {verdict}.");
                if (response.Status == OcspResponseStatus.Successful)
                    return result;
                // tryLater and friends: another responder may do better; keep this answer in case none does.
                refusal = result;
            }
            catch (StaplingException e) when (!e.IsInputProblem)
            {
                log.Verbose($"{certificate.DisplayName}: {e.Message}");
                lastFailure = e;
            }
        }
        return refusal ?? throw lastFailure!;
    }

    private static IReadOnlyList<Uri> ResponderUrls(CertificateBundle certificate, FetchOptions options)
    {
        if (options.Responder != null)
            return new[] { options.Responder };
        var urls = CertificateFacts.OcspUrls(certificate.Leaf)
            .Select(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) && (uri.Scheme == "http" || uri.Scheme == "https") ? uri : null)
            .OfType<Uri>()
            .ToList();
        if (urls.Count == 0)
        {
            throw new StaplingException(FailureReason.NoResponderUrl, certificate.DisplayName,
                $"Certificate '{certificate.DisplayName}' names no http(s) OCSP responder (AIA extension); give one with --responder/-Responder, or its CA may not offer OCSP.");
        }
        return urls;
    }

    private static OcspResponse Decode(HttpBody body)
    {
        try
        {
            return OcspResponseDecoder.Decode(body.Content);
        }
        catch (OcspFormatException e)
        {
            var looksLikeText = body.Content.Length > 0 && body.Content.Take(64).All(b => b is >= 0x09 and < 0x7f);
            var what = looksLikeText || body.ContentType?.StartsWith("text/", StringComparison.OrdinalIgnoreCase) == true
                ? $"a {body.ContentType ?? "text"} page (an error page or a captive portal?), not an OCSP response"
                : $"{body.Content.Length} bytes of {body.ContentType ?? "unlabelled data"} that are not an OCSP response: {e.Message}";
            throw new StaplingException(FailureReason.NotAnOcspResponse, body.Url.ToString(), $"Responder {body.Url} sent {what}.", e);
        }
    }

    private static string Describe(LocatedIssuer issuer) => issuer.Source switch
    {
        IssuerSource.Explicit => "the issuer given",
        IssuerSource.Chain => $"the chain in {issuer.Origin ?? "the same store"}",
        IssuerSource.TrustedFile => $"the trusted file {issuer.Origin}",
        _ => $"AIA caIssuers {issuer.Origin}",
    };

    public void Dispose() => _http.Dispose();
}
