using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine;
using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Transport;

namespace OcspStapling.Cli;

/// <summary>The options every command that fetches or verifies shares, and their translation to engine options.</summary>
internal sealed class FetchOptionSet
{
    public readonly Option<string?> Issuer = new("--issuer") { Description = "Issuer certificate file (PEM/DER), when it is not after the certificate in its file" };
    public readonly Option<string?> Trusted = new("--trusted") { Description = "CA bundle to find the issuer in (nginx's ssl_trusted_certificate)" };
    public readonly Option<string?> Responder = new("--responder") { Description = "Responder URL to ask instead of the certificate's AIA URLs (http:// or https://)" };
    public readonly Option<string> Hash = new("--hash") { Description = "CertID hash", DefaultValueFactory = _ => "sha1" };
    public readonly Option<bool> Nonce = new("--nonce") { Description = "Send a nonce and require it echoed (many responders do not echo)" };
    public readonly Option<string> Method = new("--method") { Description = "HTTP method: auto (GET when short, RFC 5019), get, post", DefaultValueFactory = _ => "auto" };
    public readonly Option<double> Timeout = new("--timeout") { Description = "Seconds to wait for each responder", DefaultValueFactory = _ => TransportOptions.TimeoutRange.Default.TotalSeconds };
    public readonly Option<string?> Proxy = new("--proxy") { Description = "HTTP proxy URL for responder requests" };
    public readonly Option<string?> HostHeader = new("--host-header") { Description = "Host header to send, for responders behind a name-based virtual host" };
    public readonly Option<int> MaxSize = new("--max-size") { Description = "Largest response accepted, in bytes", DefaultValueFactory = _ => TransportOptions.MaxResponseBytesRange.Default };
    public readonly Option<int> ResponderConcurrency = new("--responder-concurrency") { Description = "Requests in flight to one responder host at most; a host that answers 429, 503 or tryLater is then asked one at a time", DefaultValueFactory = _ => TransportOptions.MaxInFlightPerResponderRange.Default };
    public readonly Option<string?> ResponderCa = new("--responder-ca") { Description = "CA certificates (PEM) to trust for https:// responders, besides the system's" };
    public readonly Option<string?> PasswordEnv = new("--password-env") { Description = "Environment variable holding the PFX password" };
    public readonly Option<bool> NoVerify = new("--no-verify") { Description = "Report verification findings but do not act on them (like openssl ocsp -noverify)" };
    public readonly Option<bool> Json = new("--json") { Description = "Write machine-readable JSON to stdout" };

    public FetchOptionSet()
    {
        Hash.AcceptOnlyFromAmong("sha1", "sha256");
        Method.AcceptOnlyFromAmong("auto", "get", "post");
    }

    public void AddTo(Command command, bool network)
    {
        foreach (var option in new Option[] { Issuer, Trusted, PasswordEnv, NoVerify, Json })
            command.Add(option);
        if (network)
        {
            foreach (var option in new Option[] { Responder, ResponderCa, Hash, Nonce, Method, Timeout, Proxy, HostHeader, MaxSize, ResponderConcurrency })
                command.Add(option);
        }
    }

    public CertificateBundle LoadCertificate(ParseResult parse, string path) =>
        CertificateFile.Load(path, Password(parse));

    public FetchOptions ToFetchOptions(ParseResult parse) => new()
    {
        Issuers = parse.GetValue(Issuer) is { } issuer ? CertificateFile.ReadAll(issuer) : null,
        TrustedCertificatesFile = parse.GetValue(Trusted),
        Responder = Url(parse.GetValue(Responder), "--responder"),
        Hash = parse.GetValue(Hash) == "sha256" ? CertIdHash.Sha256 : CertIdHash.Sha1,
        Nonce = parse.GetValue(Nonce),
        SkipVerification = parse.GetValue(NoVerify),
    };

    public TransportOptions ToTransportOptions(ParseResult parse)
    {
        var timeout = FlagRanges.Seconds(TransportOptions.TimeoutRange, parse.GetValue(Timeout));
        if (parse.GetValue(HostHeader) is { } host && !TransportOptions.IsValidHostHeader(host))
            throw new StaplingException(FailureReason.InvalidArgument, "--host-header", $"--host-header '{host.ReplaceLineEndings("\\n")}' is not a host name (with an optional port); it may not hold spaces or line breaks.");
        var maxSize = FlagRanges.Whole(TransportOptions.MaxResponseBytesRange, parse.GetValue(MaxSize));
        var perResponder = FlagRanges.Whole(TransportOptions.MaxInFlightPerResponderRange, parse.GetValue(ResponderConcurrency));
        return new TransportOptions
        {
            Timeout = timeout,
            MaxInFlightPerResponder = perResponder,
            MaxResponseBytes = maxSize,
            Method = Enum.Parse<RequestMethod>(parse.GetValue(Method)!, ignoreCase: true),
            Proxy = Url(parse.GetValue(Proxy), "--proxy"),
            HostHeader = parse.GetValue(HostHeader),
            ResponderTrustedRoots = parse.GetValue(ResponderCa) is { } ca ? new System.Security.Cryptography.X509Certificates.X509Certificate2Collection(CertificateFile.ReadAll(ca).ToArray()) : null,
        };
    }

    public Uri? ResponderUrl(ParseResult parse) => Url(parse.GetValue(Responder), "--responder");

    public string? Password(ParseResult parse)
    {
        if (parse.GetValue(PasswordEnv) is not { } variable)
            return null;
        return Environment.GetEnvironmentVariable(variable)
            ?? throw new StaplingException(FailureReason.InvalidArgument, variable, $"--password-env names {variable}, but that environment variable is not set.");
    }

    private static Uri? Url(string? text, string option)
    {
        if (text == null)
            return null;
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == "http" || uri.Scheme == "https"))
            return uri;
        throw new StaplingException(FailureReason.InvalidArgument, text, $"{option} '{text}' is not an http:// or https:// URL.");
    }
}
