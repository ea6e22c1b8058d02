namespace OcspStapling.Engine.Operations;

/// <summary>How an operation talks back to its host (a cmdlet's WriteVerbose/WriteWarning, the CLI's stderr).</summary>
public interface IOperationLog
{
    void Verbose(string message);

    /// <summary>An event a long-running operation reports as it happens (a listener's renewal); verbose unless the host logs events.</summary>
    void Info(string message) => Verbose(message);

    void Warning(string message);
}

/// <summary>Discards everything; for callers that only want the result.</summary>
public sealed class SilentLog : IOperationLog
{
    public static readonly SilentLog Instance = new();

    public void Verbose(string message) { }

    public void Warning(string message) { }
}
