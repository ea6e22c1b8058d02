using System.Collections.Concurrent;
using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine;
using System.Security;
using OcspStapling.Engine.Refresh;
using OcspStapling.Engine.Store;

namespace OcspStapling.Commands;

/// <summary>
/// Refreshes the staples that are due in the shared store, exports them and tells servers; one summary per site,
/// with its state (the same as Get-OcspStaple's and `ocspstaple update`'s).
/// </summary>
// Certificate by default, as Get-OcspResponse: a piped certificate then binds as itself, while a piped path string still
// binds to -Path (exact type before coercion), never to a certificate made from the file without its chain.
[Cmdlet(VerbsData.Update, "OcspStaple", SupportsShouldProcess = true, DefaultParameterSetName = ParameterSets.Certificate)]
[OutputType(typeof(SiteStatus))]
public sealed class UpdateOcspStapleCommand : ResponderCmdlet
{
    public const string ErrorIdPrefix = "UpdateOcspStaple";

    private readonly SiteInput _sites = new();

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ParameterSets.Certificate)]
    public X509Certificate2[] Certificate { get; set; } = Array.Empty<X509Certificate2>();

    /// <summary>Certificate files, directories searched recursively (certbot, acme.sh, HAProxy), or a Cert:\ store path.</summary>
    // By value too, so a piped path string binds here (with its chain) rather than being converted to a bare certificate.
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.Path)]
    [Alias("FullName", "PSPath")]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>The password of PFX files among the paths.</summary>
    [Parameter(ParameterSetName = ParameterSets.Path)]
    public SecureString? Password { get; set; }

    [Parameter]
    public string StorePath { get; set; } = StapleStores.DefaultLocation();

    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Also write each staple here: &lt;name&gt;.ocsp for certbot and acme.sh sites, else &lt;certificate file&gt;.ocsp.</summary>
    [Parameter]
    public string? ExportDirectory { get; set; }

    /// <summary>Also write HAProxy's "&lt;certificate file&gt;.ocsp" beside each certificate.</summary>
    [Parameter]
    public SwitchParameter HAProxy { get; set; }

    [Parameter]
    public string? HAProxySocket { get; set; }

    [Parameter]
    public string? ReloadCommand { get; set; }

    [Parameter]
    [ValidateRange(1, RefreshOptions.MaxConcurrency)]
    public int Concurrency { get; set; } = RefreshOptions.DefaultConcurrency;

    /// <summary>How often this runs (a scheduled task): a staple that expires before the next run is a problem.</summary>
    [Parameter]
    public TimeSpan Interval { get; set; } = RefreshOptions.RunIntervalRange.Default;

    /// <summary>A certificate that names no OCSP responder is a problem, not a normal case.</summary>
    [Parameter]
    public SwitchParameter RequireOcsp { get; set; }

    /// <summary>Write Prometheus text here, atomically (node_exporter's textfile collector).</summary>
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
        {
            _sites.AddCertificates(Certificate);
            return;
        }
        // Damaged certificate files are reported, one error each, never skipped in silence.
        foreach (var unreadable in _sites.AddPaths(this, Path, Password, Log))
            WriteFailure(unreadable, ErrorIdPrefix, unreadable.Target);
    });

    protected override void EndProcessing()
    {
        var count = _sites.Discovered.Sites.Count;
        if (count == 0 || !ShouldProcess(StorePath, $"Refresh the OCSP staples of {count} site(s)"))
        {
            base.EndProcessing();
            return;
        }
        try
        {
            using var store = StapleStores.Open(StoreLocation(StorePath));
            var options = new RefreshOptions
            {
                Store = store,
                Force = Force,
                Fetch = ResponderFetchOptions(),
                Transport = ResponderTransportOptions(),
                ExportDirectory = FileSystemPath(ExportDirectory),
                ExportBesideCertificate = HAProxy,
                HaproxySocket = HAProxySocket,
                ReloadCommand = ReloadCommand,
                Concurrency = Concurrency,
                RunInterval = Interval,
                RequireOcsp = RequireOcsp,
            };
            SiteOutput.Emit(this, ErrorIdPrefix, RunWithProgress(options), FileSystemPath(MetricsFile));
        }
        catch (StaplingException failure)
        {
            ThrowTerminatingError(new ErrorRecord(failure, ErrorIdPrefix + failure.Reason, Category(failure.Reason), StorePath));
        }
        catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception e) when (e is not PipelineStoppedException and not OutOfMemoryException)
        {
            WriteError(new ErrorRecord(e, ErrorIdPrefix + InternalErrorSuffix, ErrorCategory.NotSpecified, StorePath));
        }
        base.EndProcessing();
    }

    // The engine reports progress from its workers; Write-Progress may only be called from the pipeline thread.
    private IReadOnlyList<RefreshSummary> RunWithProgress(RefreshOptions options)
    {
        var updates = new ConcurrentQueue<RefreshProgress>();
        using var refresher = new StapleRefresher(options, Log);
        var run = refresher.RefreshAsync(_sites.Discovered, new SynchronousProgress(updates.Enqueue), Cancellation);
        // Waiting on the handle, not Task.Wait: that would wrap a failure in AggregateException and hide its type.
        while (!((IAsyncResult)run).AsyncWaitHandle.WaitOne(TimeSpan.FromMilliseconds(200)))
            Report(updates);
        Report(updates);
        WriteProgress(new ProgressRecord(ProgressId, ProgressActivity, "Done") { RecordType = ProgressRecordType.Completed });
        return run.GetAwaiter().GetResult();
    }

    private const int ProgressId = 1;
    private const string ProgressActivity = "Refreshing OCSP staples";

    // A record per report: hosts and -InformationVariable consumers may keep the records they are given.
    private void Report(ConcurrentQueue<RefreshProgress> updates)
    {
        while (updates.TryDequeue(out var update))
        {
            WriteProgress(new ProgressRecord(ProgressId, ProgressActivity, $"{update.Done} of {update.Total} sites")
            {
                CurrentOperation = update.Current,
                PercentComplete = update.Done * 100 / Math.Max(1, update.Total),
            });
        }
        FlushLog();
    }

    /// <summary>Progress&lt;T&gt; would post to a synchronization context; this hands reports straight to the queue.</summary>
    private sealed class SynchronousProgress : IProgress<RefreshProgress>
    {
        private readonly Action<RefreshProgress> _report;

        public SynchronousProgress(Action<RefreshProgress> report) => _report = report;

        public void Report(RefreshProgress value) => _report(value);
    }
}
