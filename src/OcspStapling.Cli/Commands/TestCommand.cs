using System.CommandLine;
using OcspStapling.Engine.Operations;

namespace OcspStapling.Cli.Commands;

/// <summary>`ocspstaple test STAPLE --cert CERT`: verify a staple file already on disk.</summary>
internal static class TestCommand
{
    public static Command Create(CliContext context)
    {
        var options = new FetchOptionSet();
        var staple = new Argument<string>("STAPLE") { Description = "Staple file: DER (ssl_stapling_file, <cert>.ocsp) or base64" };
        var certificate = new Option<string>("--cert") { Description = "The certificate the staple is for", Required = true };
        var command = new Command("test", "Verify a staple file against its certificate") { staple, certificate };
        options.AddTo(command, network: false);
        command.SetAction((parse, cancel) => context.GuardAsync(parse.GetValue(options.Json), async () =>
        {
            var bundle = options.LoadCertificate(parse, parse.GetValue(certificate)!);
            var result = await StapleFileCheck.CheckAsync(parse.GetValue(staple)!, bundle, options.ToFetchOptions(parse), cancel);
            ResultPrinter.Write(context.Output, result, parse.GetValue(options.Json));
            return ExitCodes.For(result);
        }));
        return command;
    }
}
