using OcspStapling.Engine;
using OcspStapling.Engine.Operations;

namespace OcspStapling.Cli;

/// <summary>Where a command writes, and the one place failures become messages and exit codes.</summary>
internal sealed class CliContext
{
    public CliContext(TextWriter output, TextWriter error)
    {
        Output = output;
        Error = error;
        Log = new StderrLog(this);
    }

    /// <summary>Stderr is a terminal, so a progress line may be drawn on it.</summary>
    public bool IsTerminal => ReferenceEquals(Error, Console.Error) && !Console.IsErrorRedirected;

    /// <summary>Set from --verbose once the command line is parsed.</summary>
    public bool Verbose { get; set; }

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    public IOperationLog Log { get; }

    /// <summary>Runs a command body; a <see cref="StaplingException"/> becomes one stderr line and its exit code.</summary>
    public async Task<int> GuardAsync(bool json, Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (StaplingException failure)
        {
            ResultPrinter.WriteFailure(Error, json, Output, failure);
            return ExitCodes.For(failure);
        }
        catch (OperationCanceledException)
        {
            Error.WriteLine("ocspstaple: cancelled.");
            return 130;
        }
    }

    private sealed class StderrLog : IOperationLog
    {
        private readonly CliContext _context;

        public StderrLog(CliContext context) => _context = context;

        public void Verbose(string message)
        {
            if (_context.Verbose)
                _context.Error.WriteLine($"ocspstaple: {message}");
        }

        public void Warning(string message) => _context.Error.WriteLine($"ocspstaple: warning: {message}");
    }
}
