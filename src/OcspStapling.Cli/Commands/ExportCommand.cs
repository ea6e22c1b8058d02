using System.CommandLine;
using OcspStapling.Engine.Export;
using OcspStapling.Engine.Operations;

namespace OcspStapling.Cli.Commands;

/// <summary>`ocspstaple export CERT --out FILE`: fetch, verify and write the staple file a web server loads.</summary>
internal static class ExportCommand
{
    public static Command Create(CliContext context)
    {
        var options = new FetchOptionSet();
        var certificate = new Argument<string>("CERT") { Description = "Certificate file: PEM (alone or full chain), DER or PFX" };
        var output = new Option<string>("--out", "-o") { Description = "Staple file to write atomically (nginx ssl_stapling_file, HAProxy <cert>.ocsp)", Required = true };
        var base64 = new Option<bool>("--base64") { Description = "Write one line of base64 (HAProxy's 'set ssl ocsp-response') instead of DER" };
        var force = new Option<bool>("--force") { Description = "Write even a response that is not good or failed verification" };
        var command = new Command("export", "Fetch, verify and write a staple file") { certificate, output, base64, force };
        options.AddTo(command, network: true);
        command.SetAction((parse, cancel) => context.GuardAsync("export", parse.GetValue(options.Json), async () =>
        {
            var transport = options.ToTransportOptions(parse); // options first: a bad value is the error to report
            var bundle = options.LoadCertificate(parse, parse.GetValue(certificate)!);
            var path = parse.GetValue(output)!;
            using var fetcher = new StapleFetcher(transport);
            var result = await fetcher.FetchAsync(bundle, options.ToFetchOptions(parse), context.Log, cancel);
            if (!result.IsFitToStaple && !parse.GetValue(force))
            {
                ResultPrinter.Write(context.Output, result, parse.GetValue(options.Json), "export");
                context.Error.WriteLine($"ocspstaple: not writing '{path}': the response is not fit to staple; any existing file is left unchanged. Use --force to write it anyway.");
                return ExitCodes.For(result);
            }
            StapleExport.Write(result, path, parse.GetValue(base64) ? StapleFormat.Base64 : StapleFormat.Der, force: true);
            ResultPrinter.Write(context.Output, result, parse.GetValue(options.Json), "export", writtenTo: path);
            return ExitCodes.For(result);
        }));
        return command;
    }
}
