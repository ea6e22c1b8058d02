using System.CommandLine;
using OcspStapling.Engine.Refresh;
using OcspStapling.Engine.Sites;
using OcspStapling.Engine.Store;

namespace OcspStapling.Cli.Commands;

/// <summary>`ocspstaple status [PATH...]`: every site's state and the store's entries, without fetching or writing.</summary>
internal static class StatusCommand
{
    public static Command Create(CliContext context)
    {
        var options = new FetchOptionSet();
        var sites = new SiteOptionSet();
        var inputs = new Argument<string[]>("PATH") { Description = "Certificate files or directories, as given to update (none: the store's entries only)", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("status", "Show each site's state and the store's entries, without fetching (exit code as update's)") { inputs };
        sites.AddTo(command);
        command.Add(options.PasswordEnv);
        command.Add(options.Responder);
        command.Add(options.Json);
        command.SetAction((parse, cancel) => context.GuardAsync("status", parse.GetValue(options.Json), () =>
        {
            context.Quiet = parse.GetValue(sites.Quiet);
            var runInterval = sites.RunInterval(parse);
            var paths = parse.GetValue(inputs) ?? Array.Empty<string>();
            using var store = StapleStores.OpenForReading(sites.StoreDirectory(parse));
            // Status writes nothing: it uses what update remembered of the files, and remembers nothing new.
            var discovered = paths.Length > 0
                ? UpdateCommand.Discover(paths, options.Password(parse), context, CertificateFactsCache.Open(store.CertificateCachePath))
                : null;
            var view = RefreshOptions.ForStatus(store, options.ResponderUrl(parse), runInterval, parse.GetValue(sites.RequireOcsp));
            var printer = new SitePrinter(context, "status", parse.GetValue(options.Json), context.Quiet, parse.GetValue(sites.MetricsFile));
            StatusView.Read((ISiteSource?)discovered ?? DiscoveredSites.None, store, view, DateTimeOffset.UtcNow, printer.Add);
            if (discovered != null)
                UpdateCommand.NoneFound(printer, discovered, paths);
            return Task.FromResult(printer.Finish(discovered?.Skipped ?? Array.Empty<SkippedFile>()));
        }));
        return command;
    }
}
