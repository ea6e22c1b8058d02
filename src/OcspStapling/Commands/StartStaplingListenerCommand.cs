using System.Management.Automation;
using System.Net;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine;
using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Tls;
using OcspStapling.Engine.Transport;

namespace OcspStapling.Commands;

/// <summary>Starts a TLS listener that staples from its first connection, and returns it (or waits with -Wait).</summary>
[Cmdlet(VerbsLifecycle.Start, "StaplingListener", SupportsShouldProcess = true, DefaultParameterSetName = ParameterSets.Certificate)]
[OutputType(typeof(StaplingListener))]
public sealed class StartStaplingListenerCommand : ResponderCmdlet
{
    public const string ErrorIdPrefix = "StartStaplingListener";

    [Parameter(Mandatory = true)]
    [ValidateRange(0, 65535)]
    public int Port { get; set; }

    [Parameter]
    public IPAddress Address { get; set; } = IPAddress.Loopback;

    /// <summary>A certificate with its private key, e.g. from Cert:\LocalMachine\My.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ParameterSets.Certificate)]
    public X509Certificate2? Certificate { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Path)]
    public string? CertificatePath { get; set; }

    [Parameter(ParameterSetName = ParameterSets.Path)]
    public string? KeyPath { get; set; }

    [Parameter(ParameterSetName = ParameterSets.Path)]
    public SecureString? Password { get; set; }

    /// <summary>Staple this file (re-read when it changes) instead of fetching.</summary>
    [Parameter]
    public string? StapleFile { get; set; }

    /// <summary>host:port to forward decrypted traffic to.</summary>
    [Parameter]
    public string? ForwardTo { get; set; }

    /// <summary>On Windows (SChannel), where SslStream cannot staple, serve TLS without stapling instead of refusing to start.</summary>
    [Parameter]
    public SwitchParameter AllowNoStapling { get; set; }

    /// <summary>Which TLS implementation completes handshakes: Auto (OpenSSL 3 directly where installed), OpenSsl, SslStream.</summary>
    [Parameter]
    public ListenerTls Tls { get; set; } = ListenerTls.Auto;

    /// <summary>Do not offer TLS session resumption (every handshake is a full one).</summary>
    [Parameter]
    public SwitchParameter NoResumption { get; set; }

    /// <summary>Block until Ctrl+C, then stop the listener.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            ForRecord(ErrorIdPrefix, Certificate ?? (object?)CertificatePath, () =>
            {
                if (!ShouldProcess($"{Address}:{Port}", "Start a TLS listener"))
                    return;
                var options = Options();
                var listener = Run(() => StaplingListener.StartAsync(options, Log, Cancellation));
                ListenerRegistry.Add(listener);
                WriteObject(listener);
                if (Wait)
                    WaitThenStop(listener);
            });
        }
        catch (PlatformNotSupportedException unsupported)
        {
            ThrowTerminatingError(new ErrorRecord(unsupported, ErrorIdPrefix + "StaplingUnsupported", ErrorCategory.NotImplemented, null));
        }
    }

    private ListenerOptions Options()
    {
        var (certificate, intermediates) = ParameterSetName == ParameterSets.Certificate
            ? (Certificate!, new X509Certificate2Collection(CertificateInput.FromCertificate(Certificate!).Chain.ToArray()))
            : ServerCertificateFile.Load(GetUnresolvedProviderPathFromPSPath(CertificatePath!), FileSystemPath(KeyPath),
                Password == null ? null : new NetworkCredential("", Password).Password);
        return new ListenerOptions
        {
            Address = Address,
            Port = Port,
            Certificate = certificate,
            Intermediates = intermediates,
            StapleFile = FileSystemPath(StapleFile),
            Fetch = ResponderFetchOptions(),
            Transport = ResponderTransportOptions(),
            ForwardTo = ForwardTo == null ? null : ListenerOptions.ParseEndpoint(ForwardTo),
            AllowNoStapling = AllowNoStapling,
            Tls = Tls,
            AllowResumption = !NoResumption,
        };
    }

    private void WaitThenStop(StaplingListener listener)
    {
        try
        {
            while (!Cancellation.IsCancellationRequested)
            {
                Cancellation.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(500));
                FlushLog();
            }
        }
        finally
        {
            ListenerRegistry.Remove(listener);
            listener.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
