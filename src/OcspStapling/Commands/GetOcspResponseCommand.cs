using System.Management.Automation;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine;
using OcspStapling.Engine.Refresh;
using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Transport;

namespace OcspStapling.Commands;

/// <summary>Fetches and verifies the OCSP response for each certificate piped in.</summary>
[Cmdlet(VerbsCommon.Get, "OcspResponse", DefaultParameterSetName = ParameterSets.Certificate)]
[OutputType(typeof(OcspResponseInfo))]
public sealed class GetOcspResponseCommand : ResponderCmdlet
{
    public const string ErrorIdPrefix = "GetOcspResponse";

    private StapleFetcher? _fetcher;
    private FetchOptions _options = FetchOptions.Default;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ParameterSets.Certificate)]
    public X509Certificate2[] Certificate { get; set; } = Array.Empty<X509Certificate2>();

    // By value too, so a piped path string binds here (with its chain) rather than being converted to a bare certificate.
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.Path)]
    [Alias("FullName", "PSPath")]
    public string[] Path { get; set; } = Array.Empty<string>();

    [Parameter(ParameterSetName = ParameterSets.Path)]
    public SecureString? Password { get; set; }

    /// <summary>Certificates asked about at once across pipeline input; -ResponderConcurrency still bounds each responder host.</summary>
    [Parameter]
    [ValidateRange(1, RefreshOptions.MaxConcurrency)] // the bounds of Update-OcspStaple's sites at once: the same work
    public int Concurrency { get; set; } = RefreshOptions.DefaultConcurrency;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _fetcher = new StapleFetcher(ResponderTransportOptions());
        _options = ResponderFetchOptions();
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ParameterSets.Certificate)
        {
            foreach (var certificate in Certificate)
                Fetch(() => CertificateInput.FromCertificate(certificate), certificate);
        }
        else
        {
            foreach (var path in Path)
                Fetch(() => CertificateInput.FromPath(this, path, Password), path);
        }
    }

    private void Fetch(Func<CertificateBundle> load, object target) =>
        StartRecord(ErrorIdPrefix, target, Concurrency, () => _fetcher!.FetchAsync(load(), _options, Log, Cancellation),
            result => WriteObject(new OcspResponseInfo(result)));

    protected override void EndProcessing()
    {
        base.EndProcessing();
        _fetcher?.Dispose();
    }
}
