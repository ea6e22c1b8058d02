using System.Management.Automation;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Transport;

namespace OcspStapling;

/// <summary>
/// The parameters every cmdlet that asks responders shares (Get-OcspResponse, Update-OcspStaple,
/// Start-StaplingListener), declared once, and their translation into engine options.
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

    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSec { get; set; } = (int)TransportOptions.DefaultTimeout.TotalSeconds;

    protected FetchOptions ResponderFetchOptions() => new()
    {
        Responder = Responder,
        TrustedCertificatesFile = FileSystemPath(TrustedCertificate),
    };

    protected TransportOptions ResponderTransportOptions() => new()
    {
        Timeout = TimeSpan.FromSeconds(TimeoutSec),
        ResponderTrustedRoots = ResponderRoots(ResponderCertificateAuthority),
    };
}
