using System.CommandLine;
using OcspStapling.Engine;
using OcspStapling.Engine.Refresh;
using OcspStapling.Engine.Sites;

namespace OcspStapling.Cli.Commands;

/// <summary>`ocspstaple update PATH...`: refresh what is due for every site found, export, tell servers. For cron and timers.</summary>
internal static class UpdateCommand
{
    public static Command Create(CliContext context)
    {
        var options = new FetchOptionSet();
        var sites = new SiteOptionSet();
        var inputs = new Argument<string[]>("PATH") { Description = "Certificate files or directories (searched recursively: certbot live/, acme.sh, HAProxy, plain files)", Arity = ArgumentArity.OneOrMore };
        var force = new Option<bool>("--force") { Description = "Refresh every site that has a responder, due or not" };
        var exportDir = new Option<string?>("--export-dir") { Description = "Also write each staple here: <name>.ocsp for certbot and acme.sh sites, else <certificate file>.ocsp (nginx ssl_stapling_file)" };
        var haproxy = new Option<bool>("--haproxy") { Description = "Also write HAProxy's <certificate file>.ocsp beside each certificate" };
        var socket = new Option<string?>("--haproxy-socket") { Description = "Push changed staples to HAProxy through this admin socket (set ssl ocsp-response); retried next run when it fails" };
        var reload = new Option<string?>("--reload") { Description = "Shell command to run once when any staple changed (e.g. 'systemctl reload nginx'); retried next run when it fails" };
        var concurrency = new Option<int>("--concurrency") { Description = "Sites refreshed at once", DefaultValueFactory = _ => RefreshOptions.ConcurrencyRange.Default };
        var command = new Command("update", "Refresh the staples that are due, keep the rest, export and notify servers") { inputs, force, exportDir, haproxy, socket, reload, concurrency };
        sites.AddTo(command);
        options.AddTo(command, network: true);
        command.SetAction((parse, cancel) => context.GuardAsync("update", parse.GetValue(options.Json), async () =>
        {
            context.Quiet = parse.GetValue(sites.Quiet);
            var sitesAtOnce = FlagRanges.Whole(RefreshOptions.ConcurrencyRange, parse.GetValue(concurrency));
            var transport = options.ToTransportOptions(parse); // options first: a bad value is the error to report
            var runInterval = sites.RunInterval(parse);
            using var store = sites.OpenStore(parse);
            var cache = CertificateFactsCache.Open(store.CertificateCachePath);
            var discovered = Discover(parse.GetValue(inputs)!, options.Password(parse), context, cache);
            var refreshOptions = new RefreshOptions
            {
                Store = store,
                Force = parse.GetValue(force),
                Fetch = options.ToFetchOptions(parse),
                Transport = transport,
                ExportDirectory = parse.GetValue(exportDir),
                ExportBesideCertificate = parse.GetValue(haproxy),
                HaproxySocket = parse.GetValue(socket),
                ReloadCommand = parse.GetValue(reload),
                Concurrency = sitesAtOnce,
                ReloadHiddenVariables = parse.GetValue(options.PasswordEnv) is { } secret ? new[] { secret } : Array.Empty<string>(),
                RunInterval = runInterval,
                RequireOcsp = parse.GetValue(sites.RequireOcsp),
            };
            using var refresher = new StapleRefresher(refreshOptions, context.Log);
            var progress = context.IsTerminal && !context.Quiet ? new Progress<RefreshProgress>(p => context.Error.Write($"\rrefreshing {p.Done}/{p.Total} {p.Current,-40}")) : null;
            var printer = new SitePrinter(context, "update", parse.GetValue(options.Json), context.Quiet, parse.GetValue(sites.MetricsFile));
            await refresher.RefreshAsync(discovered, printer.Add, progress, cancel);
            if (progress != null)
                context.Error.Write("\r" + new string(' ', 60) + "\r");
            Remember(cache, context);
            NoneFound(printer, discovered, parse.GetValue(inputs)!);
            return printer.Finish(discovered.Skipped);
        }));
        return command;
    }

    /// <summary>The files under the paths given that may be sites; none at all is a usage error.</summary>
    internal static SiteDiscovery Discover(string[] inputs, string? pfxPassword, CliContext context, CertificateFactsCache cache)
    {
        var discovered = SiteDiscovery.Walk(inputs, pfxPassword, context.Log, cache);
        if (discovered.ExpectedCount == 0 && discovered.Unreadable.Count == 0)
            throw NoCertificates(inputs, discovered.Skipped.Count);
        return discovered;
    }

    /// <summary>After the run: files were found but none held a site's certificate (all CA certificates, keys…).</summary>
    internal static void NoneFound(SitePrinter printer, SiteDiscovery discovered, string[] inputs)
    {
        if (printer.Count == 0)
            throw NoCertificates(inputs, discovered.Skipped.Count);
    }

    internal static StaplingException NoCertificates(string[] inputs, int skipped) =>
        new(FailureReason.InvalidArgument, string.Join(" ", inputs),
            $"No certificates found in {string.Join(", ", inputs)}{(skipped > 0 ? $" ({skipped} file(s) skipped as not sites; -v lists them)" : "")}.");

    // What the files were found to hold, for the next run; one that cannot be saved costs that run time, not correctness.
    internal static void Remember(CertificateFactsCache cache, CliContext context)
    {
        if (cache.Save() is { } unsaved)
            context.Log.Verbose(unsaved);
    }
}
