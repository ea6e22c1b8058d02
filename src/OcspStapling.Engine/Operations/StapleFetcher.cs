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
    private const int MaxBusyAttempts = 3;

    private readonly ResponderHttp _http;
    private readonly IssuerLocator _issuers;
    private readonly ResponderPacing _pacing;

    public StapleFetcher(TransportOptions? transport = null)
    {
        _http = new ResponderHttp(transport ?? new TransportOptions());
        _issuers = new IssuerLocator(_http);
        _pacing = new ResponderPacing(_http.Options.MaxInFlightPerResponder, _http.Options.MaxPoliteWait);
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
            for (var attempt = 1; ; attempt++)
            {
                var (result, failure, askAgain) = await AskAsync(certificate, issuer, url, request, options, log, cancel).ConfigureAwait(false);
                if (result?.Status == OcspResponseStatus.Successful)
                    return result;
                // tryLater and friends: another responder may do better; keep this answer in case none does.
                refusal = result ?? refusal;
                lastFailure = failure ?? lastFailure;
                if (!askAgain || attempt >= MaxBusyAttempts)
                    break;
                log.Verbose($"{certificate.DisplayName}: {url} asked to be asked later; asking again in its turn.");
            }
        }
        return refusal ?? throw lastFailure!;
    }

    // One request in its turn. When the responder says "too many" (HTTP 429 or 503, or OCSP tryLater) the host is
    // slowed down before the turn ends, so no other request slips in at the old pace; AskAgain says whether the
    // pause it asked for fits the run's patience.
    private async Task<(OcspResult? Result, StaplingException? Failure, bool AskAgain)> AskAsync(CertificateBundle certificate, LocatedIssuer issuer,
        Uri url, OcspRequestMessage request, FetchOptions options, IOperationLog log, CancellationToken cancel)
    {
        using var turn = await _pacing.EnterAsync(url, cancel).ConfigureAwait(false);
        if (turn == null)
        {
            return (null, new StaplingException(FailureReason.ResponderBusy, url.ToString(),
                $"Responder {url} kept asking to be asked later for over {_http.Options.MaxPoliteWait.TotalSeconds:0} s; it is not asked again in this run."), false);
        }
        try
        {
            var (body, method) = await OcspExchange.SendAsync(_http, url, request, cancel).ConfigureAwait(false);
            var response = Decode(body);
            var verdict = OcspVerifier.Verify(response, certificate.Leaf, issuer.Certificate, request.Nonce, options.Verification, DateTimeOffset.UtcNow);
            var result = new OcspResult(certificate, issuer, url.ToString(), method, response, verdict, options.SkipVerification);
            log.Verbose($"{certificate.DisplayName}: {method} {url} answered: {verdict}.");
            return (result, null, response.Status == OcspResponseStatus.TryLater && _pacing.SlowDown(url, null));
        }
        catch (StaplingException e) when (!e.IsInputProblem)
        {
            log.Verbose($"{certificate.DisplayName}: {e.Message}");
            return (null, e, e.Reason == FailureReason.ResponderBusy && _pacing.SlowDown(url, e.RetryAfter));
        }
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
        IssuerSource.IssuerFile => $"HAProxy's issuer file {issuer.Origin}",
        IssuerSource.TrustedFile => $"the trusted file {issuer.Origin}",
        _ => $"AIA caIssuers {issuer.Origin}",
    };

    public void Dispose() => _http.Dispose();
}
