using System.CommandLine;
using OcspStapling.Cli.Commands;

namespace OcspStapling.Cli;

/// <summary>The `ocspstaple` command line: parses, dispatches, and maps every outcome to an exit code.</summary>
public static class CliApp
{
    internal static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, StopRequest? stop = null)
    {
        // Every text line is escaped here once, whatever command writes it (issue 23).
        output = new ControlCharacterEscapingWriter(output);
        error = new ControlCharacterEscapingWriter(error);
        var context = new CliContext(output, error, stop ?? new StopRequest());
        var (root, verbose) = Build(context);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var problem in parse.Errors)
                error.WriteLine($"ocspstaple: {problem.Message}");
            error.WriteLine("Run 'ocspstaple --help' for usage.");
            return ExitCodes.Usage;
        }
        if (UnknownOptions.In(parse) is { Count: > 0 } unknown)
        {
            foreach (var word in unknown)
                error.WriteLine($"ocspstaple: Unrecognized option '{word}' (a path that starts with '-' can be written ./{word}).");
            error.WriteLine("Run 'ocspstaple --help' for usage.");
            return ExitCodes.Usage;
        }
        context.Verbose = parse.GetValue(verbose);
        // Every command's body runs inside CliContext.GuardAsync; this catch is for what System.CommandLine itself throws.
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, context.Stop.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            CliContext.WriteInternalError(error, e);
            return ExitCodes.Internal;
        }
    }

    /// <summary>The command tree (also read by the test that holds the cmdlets to the same options).</summary>
    internal static (RootCommand Root, Option<bool> Verbose) Build(CliContext context)
    {
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Say what is being tried (issuer, responders, methods) on stderr", Recursive = true };
        var root = new RootCommand("ocspstaple: fetch, verify and export OCSP staples for nginx and HAProxy, serve TLS with a staple, probe what servers staple")
        {
            GetCommand.Create(context),
            TestCommand.Create(context),
            ExportCommand.Create(context),
            ListenCommand.Create(context),
            UpdateCommand.Create(context),
            StatusCommand.Create(context),
            DemoCommand.Create(context),
        };
        root.Add(verbose);
        return (root, verbose);
    }
}
