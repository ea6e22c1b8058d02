using System.Net;
using System.Collections.Concurrent;
using System.Net.Http.Headers;

namespace OcspStapling.Engine.Transport;

/// <summary>A body received over HTTP, with what the server said it was.</summary>
public sealed record HttpBody(byte[] Content, string? ContentType, Uri Url);

/// <summary>
/// HTTP(S) with the limits a stapler needs: a timeout per request, a size cap enforced while reading,
/// an optional proxy and Host header. One instance pools connections, so reuse it for many fetches.
/// </summary>
public sealed class ResponderHttp : IDisposable
{
    // Servers that answered HTTP/1.0 without keep-alive (OpenSSL's responder among them) close after each answer,
    // yet SocketsHttpHandler would reuse the connection and meet a reset. They get a client that never reuses one.
    // Process-wide: it is a trait of the server, and a new fetcher should not trip over it again.
    private static readonly ConcurrentDictionary<string, bool> ClosesAfterEachResponse = new();

    private readonly HttpClient _pooled;
    private readonly HttpClient _freshConnections;
    private readonly TransportOptions _options;

    public ResponderHttp(TransportOptions options)
    {
        _options = options;
        _pooled = Client(options, TimeSpan.FromMinutes(5));
        _freshConnections = Client(options, TimeSpan.Zero);
    }

    private static HttpClient Client(TransportOptions options, TimeSpan connectionLifetime)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = options.Proxy != null,
            Proxy = options.Proxy != null ? new WebProxy(options.Proxy) : null,
            // Followed here instead (FollowedRedirect): the handler's own following took ftp:// and gopher:// as HTTP.
            AllowAutoRedirect = false,
            PooledConnectionLifetime = connectionLifetime,
            AutomaticDecompression = DecompressionMethods.None,
        };
        if (options.ResponderTrustedRoots is { Count: > 0 } roots)
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => ResponderTrust.Accept(certificate, chain, errors, roots);
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public TransportOptions Options => _options;

    public Task<HttpBody> GetAsync(Uri url, CancellationToken cancel) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Get, url), url, cancel);

    public Task<HttpBody> PostAsync(Uri url, byte[] body, string contentType, CancellationToken cancel) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue(contentType) } },
        }, url, cancel);

    private async Task<HttpBody> SendAsync(Func<HttpRequestMessage> make, Uri url, CancellationToken cancel)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            try
            {
                var client = ClosesAfterEachResponse.ContainsKey(url.Authority) ? _freshConnections : _pooled;
                return await SendOnceAsync(client, make, url, timeout.Token).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (e.InnerException is IOException)
            {
                // The connection broke after it was made (a reset as the server closed it): OCSP requests are
                // idempotent, so one attempt on a new connection is safe, as browsers retry a failed reused connection.
                return await SendOnceAsync(_freshConnections, make, url, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            throw new StaplingException(FailureReason.ResponderTimeout, url.ToString(),
                $"Responder {url} did not answer within {_options.Timeout.TotalSeconds:0.###} s; raise the timeout or try another responder.");
        }
        catch (HttpRequestException e)
        {
            throw new StaplingException(FailureReason.ResponderUnreachable, url.ToString(),
                $"Cannot reach responder {url}: {ExceptionWords.Of(e)}. Check the URL, DNS, firewall and proxy.", e);
        }
        catch (Exception e) when (e is UriFormatException or NotSupportedException or InvalidOperationException or ArgumentException or IOException)
        {
            // What the HTTP stack throws besides HttpRequestException: a redirect to a scheme it cannot follow
            // (file://), a header it refuses, a stream that broke while the body was read.
            throw new StaplingException(FailureReason.ResponderUnreachable, url.ToString(),
                $"Cannot get an answer from responder {url}: {ExceptionWords.Of(e)}.", e);
        }
    }

    private const int MaxRedirects = 3;

    private async Task<HttpBody> SendOnceAsync(HttpClient client, Func<HttpRequestMessage> make, Uri url, CancellationToken cancel)
    {
        var at = url;
        HttpMethod? redirectedAs = null;
        for (var hop = 0; ; hop++)
        {
            using var request = make();
            request.RequestUri = at;
            if (redirectedAs != null)
            {
                request.Method = redirectedAs;
                request.Content = null;
            }
            if (_options.HostHeader != null && !request.Headers.TryAddWithoutValidation("Host", _options.HostHeader))
                throw new StaplingException(FailureReason.InvalidArgument, _options.HostHeader, $"'{_options.HostHeader}' cannot be sent as a Host header.");
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel).ConfigureAwait(false);
            if (hop < MaxRedirects && FollowedRedirect(response, at, url) is { } next)
            {
                // 301/302/303 turn a POST into a GET, as browsers and .NET's own redirect handler do; 307/308 keep it.
                if ((int)response.StatusCode is 301 or 302 or 303 && request.Method == HttpMethod.Post)
                    redirectedAs = HttpMethod.Get;
                at = next;
                continue;
            }
            return await ReadAnswerAsync(response, url, cancel).ConfigureAwait(false);
        }
    }

    /// <summary>Where a redirect leads, when it is one to follow; a scheme other than http(s) is refused by name.</summary>
    private static Uri? FollowedRedirect(HttpResponseMessage response, Uri at, Uri asked)
    {
        if ((int)response.StatusCode is not (301 or 302 or 303 or 307 or 308) || response.Headers.Location is not { } location)
            return null;
        var next = location.IsAbsoluteUri ? location : new Uri(at, location);
        if (next.Scheme is not ("http" or "https"))
            throw new StaplingException(FailureReason.ResponderUnreachable, asked.ToString(),
                $"Responder {asked} redirected to {next}; only http and https are followed.");
        return next;
    }

    private async Task<HttpBody> ReadAnswerAsync(HttpResponseMessage response, Uri url, CancellationToken cancel)
    {
        if (response.Version == HttpVersion.Version10 && !response.Headers.Connection.Contains("keep-alive", StringComparer.OrdinalIgnoreCase))
            ClosesAfterEachResponse.TryAdd(url.Authority, true);
        if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
        {
            var pause = RetryAfterOf(response);
            throw new StaplingException(FailureReason.ResponderBusy, url.ToString(),
                $"Responder {url} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}: it asks to be asked later{(pause is { } p ? $" (in {p.TotalSeconds:0} s)" : "")}.")
            { RetryAfter = pause };
        }
        if (!response.IsSuccessStatusCode)
        {
            throw new StaplingException(FailureReason.ResponderHttpError, url.ToString(),
                $"Responder {url} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}; it is failing or the URL is wrong.");
        }
        var declared = response.Content.Headers.ContentLength;
        if (declared > _options.MaxResponseBytes)
            throw TooLarge(url, $"{declared} bytes");
        var content = await ReadCappedAsync(response.Content, url, cancel).ConfigureAwait(false);
        return new HttpBody(content, response.Content.Headers.ContentType?.MediaType, url);
    }

    // Retry-After is seconds or an HTTP date (RFC 9110 10.2.3); anything else names no pause.
    private static TimeSpan? RetryAfterOf(HttpResponseMessage response) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => null,
        };

    private async Task<byte[]> ReadCappedAsync(HttpContent content, Uri url, CancellationToken cancel)
    {
        await using var stream = await content.ReadAsStreamAsync(cancel).ConfigureAwait(false);
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancel).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > _options.MaxResponseBytes)
                throw TooLarge(url, $"more than {_options.MaxResponseBytes} bytes");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private StaplingException TooLarge(Uri url, string size) =>
        new(FailureReason.ResponseTooLarge, url.ToString(),
            $"Responder {url} sent {size}; the cap is {_options.MaxResponseBytes} bytes. Raise the cap if this responder is genuine.");

    public void Dispose()
    {
        _pooled.Dispose();
        _freshConnections.Dispose();
    }
}
