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
        var concurrency = new Option<int>("--concurrency") { Description = "Sites refreshed at once", DefaultValueFactory = _ => 8 };
        var command = new Command("update", "Refresh the staples that are due, keep the rest, export and notify servers") { inputs, force, exportDir, haproxy, socket, reload, concurrency };
        sites.AddTo(command);
        options.AddTo(command, network: true);
        command.SetAction((parse, cancel) => context.GuardAsync("update", parse.GetValue(options.Json), async () =>
        {
            context.Quiet = parse.GetValue(sites.Quiet);
            if (parse.GetValue(concurrency) is < 1 or > 256)
                throw new StaplingException(FailureReason.InvalidArgument, "--concurrency", "--concurrency must be between 1 and 256.");
            var transport = options.ToTransportOptions(parse); // options first: a bad value is the error to report
            var runInterval = sites.RunInterval(parse);
            var store = sites.OpenStore(parse);
            var discovered = Discover(parse.GetValue(inputs)!, options.Password(parse), context, CertificateFactsCache.Open(store.CertificateCachePath), remember: true);
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
                Concurrency = parse.GetValue(concurrency),
                ReloadHiddenVariables = parse.GetValue(options.PasswordEnv) is { } secret ? new[] { secret } : Array.Empty<string>(),
                RunInterval = runInterval,
                RequireOcsp = parse.GetValue(sites.RequireOcsp),
            };
            using var refresher = new StapleRefresher(refreshOptions, context.Log);
            var progress = context.IsTerminal && !context.Quiet ? new Progress<RefreshProgress>(p => context.Error.Write($"\rrefreshing {p.Done}/{p.Total} {p.Current,-40}")) : null;
            var summaries = await refresher.RefreshAsync(discovered, progress, cancel);
            if (progress != null)
                context.Error.Write("\r" + new string(' ', 60) + "\r");
            return SitePrinter.Write(context, "update", summaries, discovered.Skipped, parse.GetValue(options.Json), context.Quiet, parse.GetValue(sites.MetricsFile));
        }));
        return command;
    }

    /// <summary>
    /// The sites under the paths given; none at all (and nothing unreadable) is a usage error. With
    /// <paramref name="remember"/>, what the files were found to hold is saved for the next run.
    /// </summary>
    internal static DiscoveredSites Discover(string[] inputs, string? pfxPassword, CliContext context, CertificateFactsCache cache, bool remember)
    {
        var discovered = SiteDiscovery.Discover(inputs, pfxPassword, context.Log, cache);
        if (remember && cache.Save() is { } unsaved)
            context.Log.Verbose(unsaved); // costs the next run time, not correctness
        if (discovered.Sites.Count == 0 && discovered.Unreadable.Count == 0)
        {
            var skipped = discovered.Skipped.Count > 0 ? $" ({discovered.Skipped.Count} file(s) skipped as not sites; -v lists them)" : "";
            throw new StaplingException(FailureReason.InvalidArgument, string.Join(" ", inputs), $"No certificates found in {string.Join(", ", inputs)}{skipped}.");
        }
        return discovered;
    }
}
