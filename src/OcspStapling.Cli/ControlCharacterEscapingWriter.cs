using System.Text;

namespace OcspStapling.Cli;

/// <summary>
/// Text output with control characters shown as \xNN: certificate subjects, directory names, Redis errors and stored
/// errors come from others, and ESC, BEL or CR written raw would draw fake lines or drive the terminal. Newlines
/// pass, as does a CR that opens a write (update's own progress line redraws itself so); JSON already escapes.
/// </summary>
internal sealed class ControlCharacterEscapingWriter : TextWriter
{
    private readonly TextWriter _inner;

    public ControlCharacterEscapingWriter(TextWriter inner) => _inner = inner;

    public override Encoding Encoding => _inner.Encoding;

    /// <summary>The writer the text goes to (to tell whether it is the console).</summary>
    public TextWriter Inner => _inner;

    public override void Write(char value) => _inner.Write(IsUnsafe(value) ? Escaped(value) : value.ToString());

    public override void Write(string? value) => _inner.Write(Escape(value));

    public override void Write(char[] buffer, int index, int count) => _inner.Write(Escape(new string(buffer, index, count)));

    public override void WriteLine(string? value) => _inner.WriteLine(Escape(value));

    public override void WriteLine() => _inner.WriteLine();

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync() => _inner.FlushAsync();

    public static string? Escape(string? text)
    {
        if (text == null || !text.Any(IsUnsafe))
            return text;
        var escaped = new StringBuilder(text.Length + 8);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            escaped.Append(IsUnsafe(c) && !(c == '\r' && i == 0) ? Escaped(c) : c.ToString());
        }
        return escaped.ToString();
    }

    // C0 controls but the newline, DEL, and the C1 controls (0x9b is a one-byte CSI on some terminals).
    private static bool IsUnsafe(char c) => c != '\n' && (c < 0x20 || c is >= '\u007f' and <= '\u009f');

    private static string Escaped(char c) => $"\\x{(int)c:x2}";
}
