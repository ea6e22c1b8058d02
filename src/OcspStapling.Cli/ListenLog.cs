using System.Globalization;
using System.Text;
using System.Text.Json;
using OcspStapling.Engine.Operations;

namespace OcspStapling.Cli;

/// <summary>
/// What `listen`, a long-running server, says: one line per event on stdout (journald, docker logs), each with its
/// UTC time to the millisecond and a level (info, debug with -v, warning): as text, or with --json as one JSON object
/// per line ({"time", "level", "message"}) for log shippers. Written from any thread, a whole line at a time.
/// </summary>
internal sealed class ListenLog : IOperationLog
{
    private readonly TextWriter _output;
    private readonly bool _json;
    private readonly bool _verbose;

    public ListenLog(TextWriter output, bool json, bool verbose)
    {
        _output = output;
        _json = json;
        _verbose = verbose;
    }

    public void Info(string message) => Write("info", message);

    public void Verbose(string message)
    {
        if (_verbose)
            Write("debug", message);
    }

    public void Warning(string message) => Write("warning", message);

    private void Write(string level, string message)
    {
        var now = DateTime.UtcNow;
        var line = _json
            ? JsonLine(now, level, message)
            : $"{now.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)} {level} {message.ReplaceLineEndings(" ")}";
        lock (_output)
        {
            _output.WriteLine(line);
            _output.Flush();
        }
    }

    // Written by hand rather than serialized: a few fields, and nothing here needs reflection. The time has whole
    // seconds, as every JSON time of ocspstaple (jq's fromdateiso8601 refuses fractions); the milliseconds go apart.
    private static string JsonLine(DateTime now, string level, string message)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("time", now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            writer.WriteNumber("millisecond", now.Millisecond);
            writer.WriteString("level", level);
            writer.WriteString("message", message);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
