using System.Text;

namespace OcspStapling.Engine.Store;

/// <summary>
/// Follows the RESP replies a Redis server sends, chunk by chunk as they arrive, and refuses any reply over a fixed
/// budget before the Redis client reads it: nesting depth, element count, a value's announced size, a header line's
/// length and a reply's total bytes. The client parses recursively and buffers whole replies, so 8,000 nested arrays
/// overflowed its stack and a never-ending array or a 400 MB value grew the process without end.
/// </summary>
/// <remarks>Iterative, a fixed stack of counts; nothing is kept but the current header line (at most <see cref="MaxLineBytes"/>).</remarks>
internal sealed class RedisReplyBounds
{
    /// <summary>This tool's deepest reply (ROLE on a primary with replicas) nests 3 levels.</summary>
    public const int MaxDepth = 8;

    /// <summary>Elements of one reply, nested ones included: a SCAN page or CONFIG GET holds hundreds.</summary>
    public const int MaxElements = 100_000;

    /// <summary>One value: a staple is at most 1 MiB, a sidecar a few KiB, INFO a few KiB.</summary>
    public const int MaxValueBytes = 2 * 1024 * 1024;

    /// <summary>One reply in all, headers included.</summary>
    public const long MaxReplyBytes = 8L * 1024 * 1024;

    /// <summary>A status, error or length line.</summary>
    public const int MaxLineBytes = 64 * 1024;

    private readonly int[] _remaining = new int[MaxDepth];
    private readonly StringBuilder _line = new();
    private int _depth;
    private long _bulkLeft; // bytes of a value plus its CRLF still to pass; 0 while reading a header line
    private long _replyBytes;
    private int _replyElements;

    /// <summary>Null while the replies stay within bounds; otherwise what exceeded them, in words.</summary>
    public string? Feed(ReadOnlySpan<byte> chunk)
    {
        for (var at = 0; at < chunk.Length;)
        {
            if (_bulkLeft > 0)
            {
                var take = (int)Math.Min(_bulkLeft, chunk.Length - at);
                _bulkLeft -= take;
                at += take;
                if ((_replyBytes += take) > MaxReplyBytes)
                    return $"a reply of more than {MaxReplyBytes / (1024 * 1024)} MiB";
                if (_bulkLeft == 0)
                    ElementDone();
                continue;
            }
            var b = chunk[at++];
            if (++_replyBytes > MaxReplyBytes)
                return $"a reply of more than {MaxReplyBytes / (1024 * 1024)} MiB";
            if (b != '\n')
            {
                if (_line.Length == MaxLineBytes)
                    return $"a reply line of more than {MaxLineBytes / 1024} KiB";
                _line.Append((char)b);
                continue;
            }
            var line = _line.ToString().TrimEnd('\r');
            _line.Clear();
            if (Header(line) is { } refusal)
                return refusal;
        }
        return null;
    }

    private string? Header(string line)
    {
        if (line.Length == 0)
            return "an empty reply line";
        if (++_replyElements > MaxElements)
            return $"a reply of more than {MaxElements} elements";
        var type = line[0];
        switch (type)
        {
            case '+' or '-' or ':' or '_' or ',' or '#' or '(':
                ElementDone();
                return null;
            case '$' or '!' or '=':
                if (!long.TryParse(line.AsSpan(1), out var size) || size < -1)
                    return "a value with no valid length";
                if (size > MaxValueBytes)
                    return $"a value of {size} bytes, over the {MaxValueBytes / (1024 * 1024)} MiB limit";
                if (size == -1)
                    ElementDone();
                else
                    _bulkLeft = size + 2;
                return null;
            case '*' or '~' or '>' or '%':
                if (!long.TryParse(line.AsSpan(1), out var count) || count < -1)
                    return "an array with no valid length";
                if (type == '%')
                    count *= 2; // a map's count is of pairs
                if (count > MaxElements)
                    return $"an array of {count} elements, over the {MaxElements}-element limit";
                if (count <= 0)
                {
                    ElementDone();
                    return null;
                }
                if (_depth == MaxDepth)
                    return $"arrays nested more than {MaxDepth} deep";
                _remaining[_depth++] = (int)count;
                return null;
            default:
                return "bytes that are not a Redis reply";
        }
    }

    // One element ended: it counts against the array holding it, which may end in turn; at the top, a reply ended.
    private void ElementDone()
    {
        while (_depth > 0 && --_remaining[_depth - 1] == 0)
            _depth--;
        if (_depth == 0)
        {
            _replyBytes = 0;
            _replyElements = 0;
        }
    }
}
