using System.Text;

namespace OcspStapling.Engine.Tls;

/// <summary>
/// The head of an HTTP request, read from an untrusted client with a size bound (the caller's deadline bounds the
/// time): what the listener's status page and the metrics endpoint each need before they answer.
/// </summary>
/// <param name="FirstLine">The request line ("GET /metrics HTTP/1.1").</param>
/// <param name="Complete">The blank line ending the head arrived within the bound.</param>
internal readonly record struct RequestHead(string FirstLine, bool Complete)
{
    /// <summary>The head, or null when the client hung up before ending it; reads at most <paramref name="maxBytes"/>.</summary>
    public static async Task<RequestHead?> ReadAsync(Stream client, int maxBytes, CancellationToken cancel)
    {
        var buffer = new byte[maxBytes];
        var seen = 0;
        var end = -1;
        while (seen < buffer.Length && end < 0)
        {
            var read = await client.ReadAsync(buffer.AsMemory(seen), cancel).ConfigureAwait(false);
            if (read == 0)
                return null;
            seen += read;
            end = buffer.AsSpan(0, seen).IndexOf("\r\n\r\n"u8);
        }
        var line = buffer.AsSpan(0, seen).IndexOf("\r\n"u8);
        return new RequestHead(Encoding.ASCII.GetString(buffer, 0, line >= 0 ? line : seen), end >= 0);
    }
}
