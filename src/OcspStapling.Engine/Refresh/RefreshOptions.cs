using OcspStapling.Engine.Policy;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Sites;
using OcspStapling.Engine.Store;
using OcspStapling.Engine.Transport;

namespace OcspStapling.Engine.Refresh;

/// <summary>What a refresh run does besides refreshing: where it exports, whom it tells, how hard it pushes.</summary>
public sealed record RefreshOptions
{
    public required IStapleStore Store { get; init; }

    /// <summary>Refresh every certificate, due or not.</summary>
    public bool Force { get; init; }

    public RefreshPolicy Policy { get; init; } = RefreshPolicy.Default;

    public FetchOptions Fetch { get; init; } = FetchOptions.Default;

    public TransportOptions Transport { get; init; } = new();

    /// <summary>Also write each staple here as the site's export name (for nginx's ssl_stapling_file).</summary>
    public string? ExportDirectory { get; init; }

    /// <summary>Also write HAProxy's "&lt;certificate file&gt;.ocsp" beside each certificate file.</summary>
    public bool ExportBesideCertificate { get; init; }

    /// <summary>Push changed staples into a running HAProxy through this admin socket.</summary>
    public string? HaproxySocket { get; init; }

    /// <summary>
    /// Run this shell command once after the run when this host's servers should get another staple than the last
    /// successful run gave them, or an export file was repaired (e.g. "nginx -t &amp;&amp; systemctl reload nginx").
    /// </summary>
    public string? ReloadCommand { get; init; }

    /// <summary>Environment variables the reload command must not see (the one holding the PFX password).</summary>
    public IReadOnlyList<string> ReloadHiddenVariables { get; init; } = Array.Empty<string>();

    /// <summary>
    /// Where this host records what HAProxy and the reload command last got (never in the store, which hosts may
    /// share); null: $XDG_STATE_HOME or ~/.local/state, under ocspstaple.
    /// </summary>
    public string? DeliveryStateDirectory { get; init; }

    public const int DefaultConcurrency = 8;
    public const int MaxConcurrency = 256;

    public static readonly OptionRange<int> ConcurrencyRange = new(OptionName.Concurrency, DefaultConcurrency, 1, MaxConcurrency);

    /// <summary>Sites refreshed at once (their requests are still paced per responder host).</summary>
    public int Concurrency { get; init => field = ConcurrencyRange.Check(value); } = ConcurrencyRange.Default;

    /// <summary>How long a run waits for an entry another refresher holds; shortened by tests.</summary>
    internal TimeSpan LockWait { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the run is repeated (cron, timer): a staple that expires before the next run is a problem.</summary>
    public TimeSpan RunInterval { get; init => field = RunIntervalRange.Check(value); } = RunIntervalRange.Default;

    /// <summary>Hourly by default; at most a year, the longest a duration may be written (a staple lives days).</summary>
    public static readonly OptionRange<TimeSpan> RunIntervalRange =
        new(OptionName.RunInterval, TimeSpan.FromHours(1), TimeSpan.Zero, TimeSpan.FromDays(366), MinExclusive: true);

    public static TimeSpan DefaultRunInterval => RunIntervalRange.Default;

    /// <summary>A certificate that names no OCSP responder is a problem, not a normal case.</summary>
    public bool RequireOcsp { get; init; }

    /// <summary>
    /// What status needs to judge a store as update would: the same interval and rules, and the responder given (a
    /// certificate without an OCSP URL is judged as having one when a responder is given). Both front ends compose it here.
    /// </summary>
    public static RefreshOptions ForStatus(IStapleStore store, Uri? responder, TimeSpan runInterval, bool requireOcsp) => new()
    {
        Store = store,
        Fetch = FetchOptions.Default with { Responder = responder },
        RunInterval = runInterval,
        RequireOcsp = requireOcsp,
    };

    /// <summary>The policy's facts about a site under these options; update and status judge alike.</summary>
    public StapleFacts FactsFor(Site site, StoreEntry? entry, DateTimeOffset now) =>
        StapleFacts.Of(site, entry, Fetch.Responder != null, now) with { RequireOcsp = RequireOcsp, RunInterval = RunInterval };

    /// <summary><see cref="StaplePolicy.Judge"/> with these options' refresh policy and verification rules.</summary>
    public StapleVerdict Judge(StapleFacts facts) => StaplePolicy.Judge(facts, Policy, Fetch.Verification);
}
