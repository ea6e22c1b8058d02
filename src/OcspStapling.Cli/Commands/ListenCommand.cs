using System.CommandLine;
using System.Net;
using OcspStapling.Engine;
using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Tls;

namespace OcspStapling.Cli.Commands;

/// <summary>
/// `ocspstaple listen`: a TLS listener that staples from its first connection, in the foreground until SIGINT/SIGTERM,
/// logging timestamped lines (JSON lines with --json) on stdout.
/// </summary>
internal static class ListenCommand
{
    public static Command Create(CliContext context)
    {
        var options = new FetchOptionSet();
        var cert = new Option<string>("--cert") { Description = "Server certificate: PEM (leaf, then chain; key inside or --key) or PFX", Required = true };
        var key = new Option<string?>("--key") { Description = "Private key PEM, when it is not in the certificate file" };
        var port = new Option<int>("--port") { Description = "TCP port to listen on", Required = true };
        var address = new Option<string>("--address") { Description = "Address to listen on", DefaultValueFactory = _ => "127.0.0.1" };
        var stapleFile = new Option<string?>("--staple-file") { Description = "Staple this file (re-read when it changes) instead of fetching" };
        var forward = new Option<string?>("--forward") { Description = "Forward decrypted traffic to HOST:PORT (otherwise answer with a status page)" };
        var noResumption = new Option<bool>("--no-resumption") { Description = "Do not offer TLS session resumption (every handshake is a full one)" };
        var tls = new Option<string>("--tls") { Description = "TLS implementation: auto (OpenSSL 3 directly where installed, else SslStream), openssl, sslstream", DefaultValueFactory = _ => "auto" };
        tls.AcceptOnlyFromAmong("auto", "openssl", "sslstream");
        var command = new Command("listen", "Serve TLS with an OCSP staple from the first connection on") { cert, key, port, address, stapleFile, forward, noResumption, tls };
        options.AddTo(command, network: true);
        command.SetAction((parse, cancel) => context.GuardAsync("listen", parse.GetValue(options.Json), async () =>
        {
            if (!IPAddress.TryParse(parse.GetValue(address), out var ip))
                throw new StaplingException(FailureReason.InvalidArgument, parse.GetValue(address), $"--address '{parse.GetValue(address)}' is not an IP address.");
            var transport = options.ToTransportOptions(parse); // options first: a bad value is the error to report
            var (certificate, intermediates) = ServerCertificateFile.Load(parse.GetValue(cert)!, parse.GetValue(key), options.Password(parse));
            var listenerOptions = new ListenerOptions
            {
                Address = ip,
                Port = parse.GetValue(port),
                Certificate = certificate,
                Intermediates = intermediates,
                StapleFile = parse.GetValue(stapleFile),
                Fetch = options.ToFetchOptions(parse),
                Transport = transport,
                ForwardTo = parse.GetValue(forward) is { } f ? ListenerOptions.ParseEndpoint(f) : null,
                AllowResumption = !parse.GetValue(noResumption),
                Tls = Enum.Parse<ListenerTls>(parse.GetValue(tls)!, ignoreCase: true),
            };
            var log = new ListenLog(context.Output, parse.GetValue(options.Json), context.Verbose);
            await using var listener = await StaplingListener.StartAsync(listenerOptions, log, cancel);
            log.Info($"listening on {listener.Endpoint} for {listener.Subject}: {Staple(listener)}");
            try
            {
                await Task.Delay(Timeout.Infinite, cancel);
            }
            catch (OperationCanceledException)
            {
            }
            log.Info($"stopped after {listener.Handshakes} handshakes ({listener.StapledHandshakes} stapled).");
            return ExitCodes.Good;
        }));
        return command;
    }

    private static string Staple(StaplingListener listener) => listener.Staple is { } s
        ? $"stapling {s.CertStatus?.ToString().ToLowerInvariant()} from {s.Source}, valid until {s.NextUpdate:u}"
        : $"NOT stapling yet ({listener.LastRefreshError})";
}
