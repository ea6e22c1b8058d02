namespace OcspStapling.Cli;

/// <summary>
/// Ctrl+C and SIGTERM: cancel the command, and if it has not ended a moment later (stuck in a computation that
/// does not look at its token), end the process anyway, so a stop always ends the command within 2 s.
/// </summary>
internal sealed class StopRequest
{
    /// <summary>Time to clean up after a stop before the process is ended regardless.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(1.5);

    private readonly CancellationTokenSource _cancel = new();
    private int _requested;

    public CancellationToken Token => _cancel.Token;

    public bool IsCancellationRequested => _cancel.IsCancellationRequested;

    public string Reason { get; private set; } = "cancelled";

    public int ExitCode { get; private set; } = ExitCodes.Interrupted;

    /// <summary>How long the command may take to stop cleanly; a server that drains connections asks for longer.</summary>
    public TimeSpan CleanUpTime { get; set; } = Grace;

    /// <summary>Cancels once; later signals only repeat the deadline that is already running.</summary>
    public void Request(string reason, int exitCode, TextWriter error)
    {
        if (Interlocked.Exchange(ref _requested, 1) == 1)
            return;
        Reason = reason;
        ExitCode = exitCode;
        _cancel.Cancel();
        _ = Task.Run(async () =>
        {
            await Task.Delay(CleanUpTime).ConfigureAwait(false);
            error.WriteLine($"ocspstaple: {reason}; stopped without finishing cleanly.");
            error.Flush();
            Environment.Exit(exitCode);
        });
    }
}
