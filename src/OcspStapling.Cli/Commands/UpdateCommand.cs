using System.CommandLine;
using System.Text.Json;
using OcspStapling.Engine;
using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Refresh;
using OcspStapling.Engine.Store;

namespace OcspStapling.Cli.Commands;

/// <summary>`ocspstaple update CERT|DIR...`: refresh what is due in the shared store, export, tell servers. For cron and timers.</summary>
internal static class UpdateCommand
{
    public static Command Create(CliContext context)
    {
        var options = new FetchOptionSet();
        var inputs = new Argument<string[]>("CERT|DIR") { Description = "Certificate files, or directories of them", Arity = ArgumentArity.OneOrMore };
        var store = new Option<string?>("--store") { Description = $"Staple store directory (default {StapleStore.DefaultDirectory()}; services: {StapleStore.DefaultDirectory(forService: true)})" };
        var force = new Option<bool>("--force") { Description = "Refresh every certificate, due or not" };
        var exportDir = new Option<string?>("--export-dir") { Description = "Also write each staple here as <certificate file>.ocsp (nginx ssl_stapling_file)" };
        var haproxy = new Option<bool>("--haproxy") { Description = "Also write HAProxy's <certificate file>.ocsp beside each certificate" };
        var socket = new Option<string?>("--haproxy-socket") { Description = "Push changed staples to HAProxy through this admin socket (set ssl ocsp-response)" };
        var reload = new Option<string?>("--reload") { Description = "Shell command to run once when any staple changed (e.g. 'systemctl reload nginx')" };
        var concurrency = new Option<int>("--concurrency") { Description = "Certificates refreshed at once", DefaultValueFactory = _ => 8 };
        var command = new Command("update", "Refresh the staples that are due, keep the rest, export and notify servers") { inputs, store, force, exportDir, haproxy, socket, reload, concurrency };
        options.AddTo(command, network: true);
        command.SetAction((parse, cancel) => context.GuardAsync(parse.GetValue(options.Json), async () =>
        {
            if (parse.GetValue(concurrency) is < 1 or > 256)
                throw new StaplingException(FailureReason.InvalidArgument, "--concurrency", "--concurrency must be between 1 and 256.");
            var transport = options.ToTransportOptions(parse); // options first: a bad value is the error to report
            var loaded = Load(parse.GetValue(inputs)!, parse, options, context);
            var refreshOptions = new RefreshOptions
            {
                Store = new StapleStore(parse.GetValue(store) ?? StapleStore.DefaultDirectory()),
                Force = parse.GetValue(force),
                Fetch = options.ToFetchOptions(parse),
                Transport = transport,
                ExportDirectory = parse.GetValue(exportDir),
                ExportBesideCertificate = parse.GetValue(haproxy),
                HaproxySocket = parse.GetValue(socket),
                ReloadCommand = parse.GetValue(reload),
                Concurrency = parse.GetValue(concurrency),
                ReloadHiddenVariables = parse.GetValue(options.PasswordEnv) is { } secret ? new[] { secret } : Array.Empty<string>(),
            };
            using var refresher = new StapleRefresher(refreshOptions, context.Log);
            var progress = context.IsTerminal ? new Progress<RefreshProgress>(p => context.Error.Write($"\rrefreshing {p.Done}/{p.Total} {p.Current,-40}")) : null;
            var refreshed = await refresher.RefreshAsync(loaded.Certificates, progress, cancel);
            var summaries = loaded.Unreadable.Select(e => RefreshSummary.ForUnreadable(e.Target ?? "", e.Message)).Concat(refreshed).ToList();
            if (progress != null)
                context.Error.Write("\r" + new string(' ', 60) + "\r");
            Print(context.Output, summaries, parse.GetValue(options.Json));
            return ExitCodes.For(summaries);
        }));
        return command;
    }

    private static LoadedCertificates Load(string[] inputs, ParseResult parse, FetchOptionSet options, CliContext context)
    {
        var loaded = CertificateSet.Load(inputs, options.Password(parse), context.Log);
        if (loaded.Certificates.Count == 0 && loaded.Unreadable.Count == 0)
            throw new StaplingException(FailureReason.InvalidArgument, string.Join(" ", inputs), $"No certificates found in {string.Join(", ", inputs)}.");
        return loaded; // unreadable files are reported as summaries, one line each
    }

    private static void Print(TextWriter output, IReadOnlyList<RefreshSummary> summaries, bool json)
    {
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(summaries.Select(s => new
            {
                certificate = s.CertificatePath,
                subject = s.Subject,
                thumbprint = s.Thumbprint,
                outcome = s.Outcome,
                reason = s.Reason,
                certStatus = s.CertStatus,
                nextUpdate = s.NextUpdate,
                nextRefresh = s.NextRefresh,
                hasValidStaple = s.HasValidStaple,
                willLapse = s.WillLapse,
                changed = s.Changed,
                exportedTo = s.ExportedTo,
                deliveryProblem = s.DeliveryProblem,
            }), ResultPrinter.JsonOptions));
            return;
        }
        foreach (var s in summaries)
        {
            var state = s.Outcome == RefreshOutcome.Unreadable ? "NO CERTIFICATE READ" : s.HasValidStaple ? $"valid until {s.NextUpdate:u}, next refresh {s.NextRefresh:u}" : "NO VALID STAPLE";
            output.WriteLine($"{s.CertificatePath ?? s.Subject}: {s.Outcome.ToString().ToLowerInvariant()}; {state}{(s.Reason != null ? $"; {s.Reason}" : "")}");
        }
    }
}
