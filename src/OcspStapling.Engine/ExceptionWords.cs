namespace OcspStapling.Engine;

/// <summary>
/// An exception's message as words a person can act on: one line, no stack frames (BouncyCastle puts some in its
/// messages), and for .NET's "…, see inner exception." the inner cause itself, which is what the reader needed.
/// </summary>
internal static class ExceptionWords
{
    private const string SeeInner = "see inner exception";

    public static string Of(Exception e)
    {
        var text = FirstLine(e.Message);
        var at = text.IndexOf(SeeInner, StringComparison.OrdinalIgnoreCase);
        if (at >= 0 && e.InnerException is { } inner)
            text = text[..at].TrimEnd(',', ';', ' ', '.') + ": " + Of(inner);
        return text;
    }

    // Up to the first line break or stack frame ("   at Org.BouncyCastle…"), whichever comes first.
    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(new[] { '\r', '\n' });
        var line = end >= 0 ? message[..end] : message;
        var frame = line.IndexOf(" at Org.", StringComparison.Ordinal);
        if (frame < 0)
            frame = line.IndexOf(" at System.", StringComparison.Ordinal);
        return (frame >= 0 ? line[..frame] : line).Trim().TrimEnd('.');
    }
}
