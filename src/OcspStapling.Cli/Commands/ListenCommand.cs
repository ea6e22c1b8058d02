using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
using OcspStapling.Engine;
using OcspStapling.Engine.Sites;
using OcspStapling.Engine.Store;
using OcspStapling.Engine.Tls;

namespace OcspStapling.Cli.Commands;

/// <summary>
/// `ocspstaple listen`: a TLS listener that staples from its first connection, for one or many certificates chosen by
/// SNI, in the foreground until SIGINT/SIGTERM (which drain connections first), re-reading renewed certificate files
/// by itself and at once on SIGHUP, logging timestamped lines (JSON lines with --json) on stdout.
/// </summary>
internal static class ListenCommand
{
    public static Command Create(CliContext context)
    {
        var options = new FetchOptionSet();
        var cert = new Option<string[]>("--cert") { Description = "Server certificate: PEM (leaf, then chain; key inside or --key) or PFX. Repeat for several (chosen by SNI; the first is the default)" };
        var key = new Option<string[]>("--key") { Description = "Private key PEM, when not in the certificate file; repeat once per --cert, in the same order" };
        var sites = new Option<string[]>("--sites") { Description = "Serve every site `update` would find in these files or directories (keys found beside them)", AllowMultipleArgumentsPerToken = true };
        var port = new Option<int>("--port") { Description = "TCP port to listen on", Required = true };
        var address = new Option<string>("--address") { Description = "Address to listen on", DefaultValueFactory = _ => "127.0.0.1" };
        var stapleFile = new Option<string?>("--staple-file") { Description = "Staple this file (re-read when it changes) instead of fetching; one certificate only" };
        var forward = new Option<string?>("--forward") { Description = "Forward decrypted traffic to HOST:PORT (otherwise answer with a status page)" };
        var noResumption = new Option<bool>("--no-resumption") { Description = "Do not offer TLS session resumption (every handshake is a full one)" };
        var store = new Option<string?>("--store") { Description = $"Staple store shared with `update` (same entries and locks: the CA is asked once per host, or per fleet with redis://…; default {StapleStore.DefaultDirectory()}, or OCSPSTAPLE_STORE)" };
        var noStore = new Option<bool>("--no-store") { Description = "Keep staples in memory only" };
        var metrics = new Option<string?>("--metrics") { Description = "Serve Prometheus metrics on ADDR:PORT (plain HTTP, GET /metrics): handshakes, stapled handshakes, each certificate's staple state and expiry" };
        var alpn = new Option<string?>("--alpn") { Description = "Application protocols to offer by ALPN, the preferred first (e.g. h2,http/1.1); a client with none of them is refused" };
        var drain = new Option<string>("--drain-timeout") { Description = "On SIGTERM or Ctrl+C, let open connections finish for up to this long", DefaultValueFactory = _ => Durations.Format(ListenerOptions.DrainTimeoutRange.Default) };
        var tls = new Option<string>("--tls") { Description = "TLS implementation: auto (OpenSSL 3 directly where installed, else SslStream), openssl, sslstream", DefaultValueFactory = _ => "auto" };
        tls.AcceptOnlyFromAmong("auto", "openssl", "sslstream");
        var command = new Command("listen", "Serve TLS with OCSP staples from the first connection on, for one or many certificates") { cert, key, sites, port, address, stapleFile, store, noStore, forward, metrics, alpn, noResumption, drain, tls };
        options.AddTo(command, network: true);
        command.SetAction((parse, cancel) => context.GuardAsync("listen", parse.GetValue(options.Json), async () =>
        {
            if (!IPAddress.TryParse(parse.GetValue(address), out var ip))
                throw new StaplingException(FailureReason.InvalidArgument, parse.GetValue(address), $"--address '{parse.GetValue(address)}' is not an IP address.");
            var transport = options.ToTransportOptions(parse); // options first: a bad value is the error to report
            var drainTime = FlagRanges.Duration(ListenerOptions.DrainTimeoutRange, parse.GetValue(drain)!);
            var log = new ListenLog(context.Output, parse.GetValue(options.Json), context.Verbose);
            var listenerOptions = new ListenerOptions
            {
                Address = ip,
                Port = parse.GetValue(port),
                Certificates = Certificates(parse.GetValue(cert) ?? [], parse.GetValue(key) ?? [], parse.GetValue(sites) ?? [], options.Password(parse), log),
                StapleFile = parse.GetValue(stapleFile),
                Store = parse.GetValue(noStore) || parse.GetValue(stapleFile) != null ? null : parse.GetValue(store) ?? StapleStores.DefaultLocation(),
                StoreOptional = parse.GetValue(store) == null,
                Fetch = options.ToFetchOptions(parse),
                Transport = transport,
                ForwardTo = parse.GetValue(forward) is { } f ? ListenerOptions.ParseEndpoint(f) : null,
                Metrics = parse.GetValue(metrics) is { } m ? ListenerOptions.ParseListenEndpoint(m, "--metrics") : null,
                AllowResumption = !parse.GetValue(noResumption),
                Alpn = parse.GetValue(alpn) is { } protocols ? AlpnWire.Parse(protocols, "--alpn") : Array.Empty<string>(),
                Tls = Enum.Parse<ListenerTls>(parse.GetValue(tls)!, ignoreCase: true),
            };
            // SIGHUP re-reads renewed certificate files at once, as nginx -s reload would, and never ends the process:
            // registered before anything starts (one during start-up finds the files just read).
            StaplingListener? started = null;
            using var hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, signal =>
            {
                signal.Cancel = true;
                log.Info("SIGHUP: checking certificate files for renewals.");
                _ = started?.ReloadAsync();
            });
            var listener = started = await StaplingListener.StartAsync(listenerOptions, log, cancel);
            try
            {
                foreach (var site in listener.Sites)
                {
                    log.Info($"listening on {listener.Endpoint} for {site.Subject}: {Staple(site)}");
                    log.Verbose($"{site.Subject} answers the server names {string.Join(", ", site.Names)}.");
                }
                if (listener.MetricsEndpoint is { } scrape)
                    log.Info($"metrics on http://{scrape}/metrics");
                context.Stop.CleanUpTime = drainTime + StopRequest.Grace;
                try
                {
                    await Task.Delay(Timeout.Infinite, cancel);
                }
                catch (OperationCanceledException)
                {
                }
            }
            finally
            {
                await listener.StopAsync(drainTime);
            }
            log.Info($"stopped after {listener.Handshakes} handshakes ({listener.StapledHandshakes} stapled).");
            return ExitCodes.Good;
        }));
        return command;
    }

    /// <summary>--cert/--key pairs in order (the first is the default certificate), then every site found under --sites.</summary>
    private static IReadOnlyList<ServedCertificate> Certificates(string[] certs, string[] keys, string[] sitePaths, string? password, ListenLog log)
    {
        if (certs.Length == 0 && sitePaths.Length == 0)
            throw new StaplingException(FailureReason.InvalidArgument, "--cert", "Give the certificate to serve with --cert FILE (repeat for several), or --sites PATH to serve the sites found there.");
        if (keys.Length > 0 && keys.Length != certs.Length)
            throw new StaplingException(FailureReason.InvalidArgument, "--key", $"{keys.Length} --key for {certs.Length} --cert: give one --key per --cert, in the same order, or none when the keys are inside the certificate files.");
        var served = certs.Select((c, i) => ServedCertificate.Load(c, keys.Length > 0 ? keys[i] : null, password)).ToList();
        if (sitePaths.Length > 0)
        {
            var discovered = SiteDiscovery.Discover(sitePaths, password, log);
            var found = SiteKeys.Serve(discovered, password, log);
            if (found.Count == 0 && discovered.Sites.Count == 0)
                throw UpdateCommand.NoCertificates(sitePaths, discovered.Skipped.Count);
            if (found.Count == 0)
                throw new StaplingException(FailureReason.InvalidArgument, string.Join(" ", sitePaths), $"No site with its private key found in {string.Join(", ", sitePaths)}; the warnings above say why for each.");
            served.AddRange(found.Where(f => served.All(s => s.Certificate.Thumbprint != f.Certificate.Thumbprint)));
        }
        return served;
    }

    private static string Staple(ListenerSite site) => site.Staple is { } s
        ? $"stapling {s.CertStatus?.ToString().ToLowerInvariant()} from {s.Source}, valid until {s.NextUpdate:u}"
        : $"NOT stapling yet ({site.LastRefreshError})";
}
