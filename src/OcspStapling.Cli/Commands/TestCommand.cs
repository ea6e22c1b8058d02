using System.CommandLine;
using OcspStapling.Engine;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Tls;

namespace OcspStapling.Cli.Commands;

/// <summary>
/// `ocspstaple test STAPLE --cert CERT`: verify a staple file on disk;
/// `ocspstaple test --host HOST[:PORT]`: probe what a live server staples.
/// </summary>
internal static class TestCommand
{
    public static Command Create(CliContext context)
    {
        var options = new FetchOptionSet();
        var staple = new Argument<string?>("STAPLE") { Description = "Staple file: DER (ssl_stapling_file, <cert>.ocsp) or base64", Arity = ArgumentArity.ZeroOrOne };
        var certificate = new Option<string?>("--cert") { Description = "The certificate the staple file is for" };
        var host = new Option<string?>("--host") { Description = "Probe a live server instead: HOST[:PORT] (default port 443)" };
        var serverName = new Option<string?>("--servername") { Description = "SNI name to send with --host (default: the host)" };
        var command = new Command("test", "Verify a staple file against its certificate, or probe what a server staples") { staple, certificate, host, serverName };
        options.AddTo(command, network: false);
        command.Add(options.Timeout);
        command.SetAction((parse, cancel) => context.GuardAsync("test", parse.GetValue(options.Json), async () =>
        {
            var json = parse.GetValue(options.Json);
            if (parse.GetValue(host) is { } target)
            {
                var (name, port) = HostAndPort(target);
                var probe = await StapleProbe.ProbeAsync(name, port, parse.GetValue(serverName), options.ToFetchOptions(parse),
                    TimeSpan.FromSeconds(parse.GetValue(options.Timeout)), cancel);
                ProbePrinter.Write(context.Output, probe, json);
                return ProbePrinter.ExitCode(probe);
            }
            if (parse.GetValue(staple) is not { } file || parse.GetValue(certificate) is not { } cert)
                throw new StaplingException(FailureReason.InvalidArgument, null, "Give a staple file and --cert CERT, or --host HOST[:PORT] to probe a server.");
            var bundle = options.LoadCertificate(parse, cert);
            var result = await StapleFileCheck.CheckAsync(file, bundle, options.ToFetchOptions(parse), cancel);
            ResultPrinter.Write(context.Output, result, json, "test");
            return ExitCodes.For(result);
        }));
        return command;
    }

    private static (string Host, int Port) HostAndPort(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon > 0 && !text.EndsWith(']') && int.TryParse(text[(colon + 1)..], out var port))
        {
            if (port is < 1 or > 65535)
                throw new StaplingException(FailureReason.InvalidArgument, text, $"--host '{text}': the port must be 1 to 65535.");
            return (text[..colon].Trim('[', ']'), port);
        }
        return (text.Trim('[', ']'), 443);
    }
}
