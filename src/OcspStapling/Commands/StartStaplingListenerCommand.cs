using System.Management.Automation;
using System.Net;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine;
using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Sites;
using OcspStapling.Engine.Store;
using OcspStapling.Engine.Tls;
using OcspStapling.Engine.Transport;

namespace OcspStapling.Commands;

/// <summary>
/// Starts one TLS listener that staples from its first connection, for every certificate given (piped, by path, or
/// found under -SitePath; chosen by SNI, the first is the default), and returns it (or waits with -Wait). Piped
/// certificates are collected, so `dir Cert:\LocalMachine\My | Start-StaplingListener -Port 443` serves them all.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "StaplingListener", SupportsShouldProcess = true, DefaultParameterSetName = ParameterSets.Certificate)]
[OutputType(typeof(StaplingListenerInfo))]
public sealed class StartStaplingListenerCommand : ResponderCmdlet
{
    public const string ErrorIdPrefix = "StartStaplingListener";

    [Parameter(Mandatory = true)]
    [ValidateRange(0, 65535)]
    public int Port { get; set; }

    [Parameter]
    public IPAddress Address { get; set; } = IPAddress.Loopback;

    private readonly List<ServedCertificate> _collected = new();

    /// <summary>Certificates with their private keys, e.g. from Cert:\LocalMachine\My.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ParameterSets.Certificate)]
    public X509Certificate2[]? Certificate { get; set; }

    /// <summary>Certificate files (PEM with the chain, key inside or in -KeyPath; or PFX).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Path)]
    public string[]? CertificatePath { get; set; }

    /// <summary>Key files, one per -CertificatePath in the same order, when the keys are not inside the certificate files.</summary>
    [Parameter(ParameterSetName = ParameterSets.Path)]
    public string[]? KeyPath { get; set; }

    /// <summary>Also serve every site Update-OcspStaple would find in these files or directories (keys found beside them).</summary>
    [Parameter]
    public string[]? SitePath { get; set; }

    /// <summary>For PFX files given by path or found under -SitePath.</summary>
    [Parameter]
    public SecureString? Password { get; set; }

    /// <summary>Staple this file (re-read when it changes) instead of fetching.</summary>
    [Parameter]
    public string? StapleFile { get; set; }

    /// <summary>The staple store shared with Update-OcspStaple (default: its default store); ignored with -StapleFile.</summary>
    [Parameter]
    public string? StorePath { get; set; }

    /// <summary>Keep staples in memory only.</summary>
    [Parameter]
    public SwitchParameter NoStore { get; set; }

    /// <summary>Application protocols to offer by ALPN, the preferred first (h2, http/1.1).</summary>
    [Parameter]
    public string[]? Alpn { get; set; }

    /// <summary>address:port to serve Prometheus metrics on (plain HTTP, GET /metrics).</summary>
    [Parameter]
    public string? Metrics { get; set; }

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

    /// <summary>With -Wait: after Ctrl+C, how long open connections may finish before they are closed.</summary>
    [Parameter]
    public TimeSpan DrainTimeout { get; set; } = ListenerOptions.DrainTimeoutRange.Default;

    /// <summary>Block until Ctrl+C, then stop the listener.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        ParameterRanges.Check(this, ErrorIdPrefix, ListenerOptions.DrainTimeoutRange, DrainTimeout);
    }

    protected override void ProcessRecord()
    {
        ForRecord(ErrorIdPrefix, (object?)Certificate ?? CertificatePath, () =>
        {
            if (ParameterSetName == ParameterSets.Certificate)
            {
                foreach (var certificate in Certificate!)
                    _collected.Add(new ServedCertificate(certificate, new X509Certificate2Collection(CertificateInput.FromCertificate(certificate).Chain.ToArray())));
                return;
            }
            if (KeyPath != null && KeyPath.Length != CertificatePath!.Length)
                throw new StaplingException(FailureReason.InvalidArgument, "KeyPath", $"{KeyPath.Length} -KeyPath for {CertificatePath.Length} -CertificatePath: give one key per certificate, in the same order, or none when the keys are inside the certificate files.");
            for (var i = 0; i < CertificatePath!.Length; i++)
                _collected.Add(ServedCertificate.Load(GetUnresolvedProviderPathFromPSPath(CertificatePath[i]), FileSystemPath(KeyPath?[i]), PlainPassword));
        });
    }

    protected override void EndProcessing()
    {
        try
        {
            ForRecord(ErrorIdPrefix, null, () =>
            {
                if (SitePath != null)
                {
                    var discovered = SiteDiscovery.Discover(SitePath.Select(p => GetUnresolvedProviderPathFromPSPath(p)), PlainPassword, Log);
                    _collected.AddRange(SiteKeys.Serve(discovered, PlainPassword, Log).Where(f => _collected.All(c => c.Certificate.Thumbprint != f.Certificate.Thumbprint)));
                }
                if (_collected.Count == 0 || !ShouldProcess($"{Address}:{Port}", $"Start a TLS listener for {_collected.Count} certificate(s)"))
                    return;
                var options = Options();
                var listener = Run(() => StaplingListener.StartAsync(options, Log, Cancellation));
                ListenerRegistry.Add(listener);
                WriteObject(new StaplingListenerInfo(listener));
                if (Wait)
                    WaitThenStop(listener);
            });
        }
        catch (PlatformNotSupportedException unsupported)
        {
            ThrowTerminatingError(new ErrorRecord(unsupported, ErrorIdPrefix + "StaplingUnsupported", ErrorCategory.NotImplemented, null));
        }
        base.EndProcessing();
    }

    private string? PlainPassword => Password == null ? null : new NetworkCredential("", Password).Password;

    private ListenerOptions Options() => new()
    {
        Address = Address,
        Port = Port,
        Certificates = _collected,
        StapleFile = FileSystemPath(StapleFile),
        Store = NoStore || StapleFile != null ? null : StorePath != null ? StoreLocation(StorePath) : StapleStores.DefaultLocation(),
        StoreOptional = StorePath == null,
        Fetch = ResponderFetchOptions(),
        Transport = ResponderTransportOptions(),
        ForwardTo = ForwardTo == null ? null : ListenerOptions.ParseEndpoint(ForwardTo),
        Metrics = Metrics == null ? null : ListenerOptions.ParseListenEndpoint(Metrics, "-Metrics"),
        AllowNoStapling = AllowNoStapling,
        Tls = Tls,
        AllowResumption = !NoResumption,
        Alpn = Alpn == null ? Array.Empty<string>() : AlpnWire.Parse(string.Join(",", Alpn), "-Alpn"),
    };

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
            listener.StopAsync(DrainTimeout).GetAwaiter().GetResult();
        }
    }
}
