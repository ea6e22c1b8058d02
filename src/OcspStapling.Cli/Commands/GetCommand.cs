using System.CommandLine;
using OcspStapling.Engine.Operations;

namespace OcspStapling.Cli.Commands;

/// <summary>`ocspstaple get CERT`: fetch and verify, print the verdict.</summary>
internal static class GetCommand
{
    public static Command Create(CliContext context)
    {
        var options = new FetchOptionSet();
        var certificate = new Argument<string>("CERT") { Description = "Certificate file: PEM (alone or full chain), DER or PFX" };
        var command = new Command("get", "Fetch and verify the OCSP response for a certificate") { certificate };
        options.AddTo(command, network: true);
        command.SetAction((parse, cancel) => context.GuardAsync("get", parse.GetValue(options.Json), async () =>
        {
            var transport = options.ToTransportOptions(parse); // options first: a bad value is the error to report
            var bundle = options.LoadCertificate(parse, parse.GetValue(certificate)!);
            using var fetcher = new StapleFetcher(transport);
            var result = await fetcher.FetchAsync(bundle, options.ToFetchOptions(parse), context.Log, cancel);
            ResultPrinter.Write(context.Output, result, parse.GetValue(options.Json), "get");
            return ExitCodes.For(result);
        }));
        return command;
    }
}
