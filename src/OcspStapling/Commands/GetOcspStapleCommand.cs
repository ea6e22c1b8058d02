using System.Management.Automation;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Refresh;
using OcspStapling.Engine.Store;

namespace OcspStapling.Commands;

/// <summary>
/// Each site's state and the store's entries, without fetching, locking or writing a staple: the objects
/// Update-OcspStaple emits, as `ocspstaple status` shows them.
/// </summary>
[Cmdlet(VerbsCommon.Get, "OcspStaple", DefaultParameterSetName = ParameterSets.Path)]
[OutputType(typeof(SiteStatus))]
public sealed class GetOcspStapleCommand : OcspCmdlet
{
    public const string ErrorIdPrefix = "GetOcspStaple";

    private readonly SiteInput _sites = new();

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ParameterSets.Certificate)]
    public X509Certificate2[] Certificate { get; set; } = Array.Empty<X509Certificate2>();

    /// <summary>Certificate files, directories (searched as Update-OcspStaple searches them), or a Cert:\ path; none: the store's entries only.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.Path)]
    [Alias("FullName", "PSPath")]
    public string[] Path { get; set; } = Array.Empty<string>();

    [Parameter(ParameterSetName = ParameterSets.Path)]
    public SecureString? Password { get; set; }

    [Parameter]
    public string StorePath { get; set; } = StapleStores.DefaultLocation();

    /// <summary>How often Update-OcspStaple runs: a staple that expires before its next run is a problem.</summary>
    [Parameter]
    public TimeSpan Interval { get; set; } = RefreshOptions.RunIntervalRange.Default;

    [Parameter]
    public SwitchParameter RequireOcsp { get; set; }

    /// <summary>The responder Update-OcspStaple is given instead of the certificates' own (a certificate without one is then not "no OCSP").</summary>
    [Parameter]
    public Uri? Responder { get; set; }

    [Parameter]
    public string? MetricsFile { get; set; }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        ParameterRanges.Check(this, ErrorIdPrefix, RefreshOptions.RunIntervalRange, Interval);
    }

    protected override void ProcessRecord() => ForRecord(ErrorIdPrefix, ParameterSetName == ParameterSets.Certificate ? Certificate : Path, () =>
    {
        if (ParameterSetName == ParameterSets.Certificate)
            _sites.AddCertificates(Certificate);
        else
        {
            foreach (var unreadable in _sites.AddPaths(this, Path, Password, Log))
                WriteFailure(unreadable, ErrorIdPrefix, unreadable.Target);
        }
    });

    protected override void EndProcessing()
    {
        ForRecord(ErrorIdPrefix, StorePath, () =>
        {
            using var store = StapleStores.OpenForReading(StoreLocation(StorePath));
            var view = RefreshOptions.ForStatus(store, Responder, Interval, RequireOcsp);
            SiteOutput.Emit(this, ErrorIdPrefix, StatusView.Read(_sites.Discovered, store, view, DateTimeOffset.UtcNow), FileSystemPath(MetricsFile));
        });
        base.EndProcessing();
    }
}
