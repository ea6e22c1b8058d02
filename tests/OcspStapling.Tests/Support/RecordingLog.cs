using OcspStapling.Engine.Operations;

namespace OcspStapling.Tests.Support;

/// <summary>Keeps what an operation said, thread-safe, for tests that assert on warnings and events.</summary>
public sealed class RecordingLog : IOperationLog
{
    private readonly List<(string Level, string Message)> _lines = new();

    public IReadOnlyList<string> Warnings => Lines("warning");

    public IReadOnlyList<string> Events => Lines("info");

    public void Verbose(string message) => Add("verbose", message);

    public void Info(string message) => Add("info", message);

    public void Warning(string message) => Add("warning", message);

    private void Add(string level, string message)
    {
        lock (_lines)
            _lines.Add((level, message));
    }

    private IReadOnlyList<string> Lines(string level)
    {
        lock (_lines)
            return _lines.Where(l => l.Level == level).Select(l => l.Message).ToList();
    }
}
