using OcspStapling.Engine;
using OcspStapling.Engine.Operations;

namespace OcspStapling.Cli;

/// <summary>Where a command writes, and the one place failures become messages and exit codes.</summary>
internal sealed class CliContext
{
    public CliContext(TextWriter output, TextWriter error, StopRequest stop)
    {
        Stop = stop;
        Output = output;
        Error = error;
        Log = new StderrLog(this);
    }

    /// <summary>Stderr is a terminal, so a progress line may be drawn on it.</summary>
    public bool IsTerminal =>
        ReferenceEquals(Error is ControlCharacterEscapingWriter escaping ? escaping.Inner : Error, Console.Error) && !Console.IsErrorRedirected;

    /// <summary>Set from --verbose once the command line is parsed.</summary>
    public bool Verbose { get; set; }

    /// <summary>--quiet: only sites with a problem or warning are printed, on stderr.</summary>
    public bool Quiet { get; set; }

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    public IOperationLog Log { get; }

    /// <summary>Runs a command body; a <see cref="StaplingException"/> becomes one stderr line and its exit code.</summary>
    public async Task<int> GuardAsync(string command, bool json, Func<Task<int>> body)
    {
        try
        {
            FaultInjection.Value?.Invoke();
            return await body();
        }
        catch (StaplingException failure)
        {
            ResultPrinter.WriteFailure(Error, json, Output, command, failure);
            return ExitCodes.For(failure);
        }
        catch (OperationCanceledException) when (Stop.IsCancellationRequested)
        {
            Error.WriteLine($"ocspstaple: {Stop.Reason}; stopped.");
            return Stop.ExitCode;
        }
        catch (Exception e)
        {
            // The one boundary: whatever escaped the engine becomes one line, never a stack trace.
            WriteInternalError(Error, e);
            if (Verbose)
                Error.WriteLine(e.ToString());
            return ExitCodes.Internal;
        }
    }

    public static void WriteInternalError(TextWriter error, Exception e) =>
        error.WriteLine($"ocspstaple: internal error: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")} (this is a bug; please report it with the command line)");

    /// <summary>Set by tests to make a command's body fail unexpectedly; flows only with the test's own calls.</summary>
    internal static readonly AsyncLocal<Action?> FaultInjection = new();

    /// <summary>Why the command was asked to stop, set by the signal handlers.</summary>
    public StopRequest Stop { get; }

    private sealed class StderrLog : IOperationLog
    {
        private readonly CliContext _context;

        public StderrLog(CliContext context) => _context = context;

        public void Verbose(string message)
        {
            if (_context.Verbose)
                _context.Error.WriteLine($"ocspstaple: {message}");
        }

        // Under --quiet the site lines say what is wrong; the running commentary would say it twice.
        public void Warning(string message)
        {
            if (!_context.Quiet)
                _context.Error.WriteLine($"ocspstaple: warning: {message}");
        }
    }
}
