using System.CommandLine;
using OcspStapling.Engine.Refresh;
using OcspStapling.Engine.Store;

namespace OcspStapling.Cli;

/// <summary>The options `update` and `status` share: where the store is, and what counts as a problem.</summary>
internal sealed class SiteOptionSet
{
    public readonly Option<string?> Store = new("--store") { Description = $"Staple store: a directory (default {StapleStore.DefaultDirectory()}; services: {StapleStore.DefaultDirectory(forService: true)}) or redis[s]://[user@]host:port[/db][?prefix=P][&ca=FILE] for a fleet (password in {RedisStapleStore.PasswordVariable}); or OCSPSTAPLE_STORE" };
    public readonly Option<string> Interval = new("--interval") { Description = "How often this runs (cron, timer): a staple that expires before the next run is a problem (90s, 30m, 1h, 1d)", DefaultValueFactory = _ => Durations.Format(RefreshOptions.RunIntervalRange.Default) };
    public readonly Option<bool> RequireOcsp = new("--require-ocsp") { Description = "Treat a certificate that names no OCSP responder as a problem (exit 3)" };
    public readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "Print only sites with a problem or warning, on stderr (for cron mail)" };
    public readonly Option<string?> MetricsFile = new("--metrics-file") { Description = "Write Prometheus text here, atomically (node_exporter's textfile collector, e.g. /var/lib/node_exporter/ocspstaple.prom)" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Store, Interval, RequireOcsp, Quiet, MetricsFile })
            command.Add(option);
    }

    public IStapleStore OpenStore(ParseResult parse) => StapleStores.Open(StoreDirectory(parse));

    public string StoreDirectory(ParseResult parse) => parse.GetValue(Store) ?? StapleStores.DefaultLocation();

    public TimeSpan RunInterval(ParseResult parse) => FlagRanges.Duration(RefreshOptions.RunIntervalRange, parse.GetValue(Interval)!);
}
