using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Transport;

namespace OcspStapling;

/// <summary>
/// The parameters every cmdlet that asks responders shares (Get-OcspResponse, Update-OcspStaple,
/// Start-StaplingListener), declared once, and their translation into engine options: the CLI's fetch options
/// (--issuer, --hash, --nonce, --method, --proxy, --host-header, --max-size, --no-verify, ...) by their PowerShell names.
/// </summary>
public abstract class ResponderCmdlet : OcspCmdlet
{
    [Parameter]
    public Uri? Responder { get; set; }

    /// <summary>CA certificates (PEM) trusted for https:// responders besides the system's.</summary>
    [Parameter]
    public string? ResponderCertificateAuthority { get; set; }

    [Parameter]
    public string? TrustedCertificate { get; set; }

    /// <summary>The issuer, when it is not after the certificate in its file (a path converts to a certificate).</summary>
    [Parameter]
    public X509Certificate2? Issuer { get; set; }

    [Parameter]
    public CertIdHash HashAlgorithm { get; set; } = CertIdHash.Sha1;

    [Parameter]
    public SwitchParameter Nonce { get; set; }

    [Parameter]
    public RequestMethod Method { get; set; } = RequestMethod.Auto;

    [Parameter]
    public Uri? Proxy { get; set; }

    /// <summary>Host header to send, for responders behind a name-based virtual host.</summary>
    [Parameter]
    public string? HostHeader { get; set; }

    [Parameter]
    [ValidateRange(TransportOptions.MinMaxResponseBytes, int.MaxValue)]
    public int MaximumResponseBytes { get; set; } = TransportOptions.DefaultMaxResponseBytes;

    /// <summary>Requests in flight to one responder host at most (the CLI's --responder-concurrency).</summary>
    [Parameter]
    [ValidateRange(1, TransportOptions.MaxMaxInFlightPerResponder)]
    public int ResponderConcurrency { get; set; } = TransportOptions.DefaultMaxInFlightPerResponder;

    [Parameter]
    [ValidateRange(1, TransportOptions.MaxTimeoutSeconds)]
    public int TimeoutSec { get; set; } = TransportOptions.DefaultTimeoutSeconds;

    [Parameter]
    public SwitchParameter SkipVerification { get; set; }

    protected override void BeginProcessing()
    {
        if (HostHeader != null && !TransportOptions.IsValidHostHeader(HostHeader))
        {
            var message = $"-HostHeader '{HostHeader.ReplaceLineEndings("\\n")}' is not a host name (with an optional port); it may not hold spaces or line breaks.";
            ThrowTerminatingError(new ErrorRecord(new ArgumentException(message), "InvalidHostHeader", ErrorCategory.InvalidArgument, HostHeader));
        }
        if (SkipVerification)
            WriteWarning("Verification is skipped: responses are reported but not checked for a valid signer, signature or validity window.");
    }

    protected FetchOptions ResponderFetchOptions() => new()
    {
        Responder = Responder,
        TrustedCertificatesFile = FileSystemPath(TrustedCertificate),
        Issuers = Issuer != null ? new[] { Issuer } : null,
        Hash = HashAlgorithm,
        Nonce = Nonce,
        SkipVerification = SkipVerification,
    };

    protected TransportOptions ResponderTransportOptions() => new()
    {
        Timeout = TimeSpan.FromSeconds(TimeoutSec),
        MaxResponseBytes = MaximumResponseBytes,
        MaxInFlightPerResponder = ResponderConcurrency,
        Method = Method,
        Proxy = Proxy,
        HostHeader = HostHeader,
        ResponderTrustedRoots = ResponderRoots(ResponderCertificateAuthority),
    };
}
