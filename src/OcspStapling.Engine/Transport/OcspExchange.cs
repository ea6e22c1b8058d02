using OcspStapling.Engine.Protocol;

namespace OcspStapling.Engine.Transport;

/// <summary>Sends one encoded OCSP request to one responder URL, by GET or POST (RFC 6960 appendix A, RFC 5019).</summary>
public static class OcspExchange
{
    /// <summary>RFC 5019 5: GET when the URL-encoded base64 request is under 255 bytes.</summary>
    public const int MaxGetRequestLength = 255;

    public const string RequestContentType = "application/ocsp-request";
    public const string ResponseContentType = "application/ocsp-response";

    public static async Task<(HttpBody Body, RequestMethod Method)> SendAsync(ResponderHttp http, Uri responder, OcspRequestMessage request, CancellationToken cancel)
    {
        var encoded = Uri.EscapeDataString(Convert.ToBase64String(request.Der));
        var method = http.Options.Method switch
        {
            RequestMethod.Auto => encoded.Length < MaxGetRequestLength ? RequestMethod.Get : RequestMethod.Post,
            var chosen => chosen,
        };
        if (method == RequestMethod.Post)
            return (await PostAsync(http, responder, request, cancel).ConfigureAwait(false), RequestMethod.Post);
        try
        {
            return (await http.GetAsync(GetUrl(responder, encoded), cancel).ConfigureAwait(false), RequestMethod.Get);
        }
        catch (StaplingException e) when (e.Reason == FailureReason.ResponderHttpError && http.Options.Method == RequestMethod.Auto)
        {
            // Some responders mishandle the RFC 5019 GET path (cfssl's answers 400 to every GET); POST is the
            // method every responder must support (RFC 6960 A.1), so auto tries it before giving up.
            return (await PostAsync(http, responder, request, cancel).ConfigureAwait(false), RequestMethod.Post);
        }
    }

    private static Task<HttpBody> PostAsync(ResponderHttp http, Uri responder, OcspRequestMessage request, CancellationToken cancel) =>
        http.PostAsync(responder, request.Der, RequestContentType, cancel);

    private static Uri GetUrl(Uri responder, string encodedRequest)
    {
        var text = responder.ToString();
        return new Uri(text + (text.EndsWith('/') ? "" : "/") + encodedRequest);
    }
}
