using System.Net;
using System.Net.Sockets;
using System.Text;
using OcspStapling.Engine.Tls;

namespace OcspStapling.Tests.Support;

/// <summary>
/// A fake Redis server on loopback that answers the client's connection handshake as Redis would, then answers
/// every data command (SCAN, HMGET, …) with a hostile reply. The one fake in these tests: no real Redis sends these.
/// </summary>
public sealed class HostileRedisServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<Stream, CancellationToken, Task> _hostileReply;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    /// <param name="hostileReply">Writes the reply to a data command; may write for ever (until the client leaves).</param>
    public HostileRedisServer(Func<Stream, CancellationToken, Task> hostileReply)
    {
        _hostileReply = hostileReply;
        _listener.Start();
        _accepting = Task.Run(() => AcceptLoop.RunAsync(_listener, ServeAsync, _stop.Token));
    }

    public string Url => $"redis://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/0";

    /// <summary>Arrays nested <paramref name="levels"/> deep: "*1\r\n" repeated, ending in one integer.</summary>
    public static HostileRedisServer NestedArrays(int levels) =>
        new((stream, cancel) => stream.WriteAsync(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("*1\r\n", levels)) + ":1\r\n"), cancel).AsTask());

    /// <summary>An array that claims two billion elements and sends elements until the client leaves.</summary>
    public static HostileRedisServer NeverEndingArray() => new(async (stream, cancel) =>
    {
        await stream.WriteAsync("*2147483647\r\n"u8.ToArray(), cancel);
        var elements = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(":1\r\n", 16 * 1024)));
        while (true)
            await stream.WriteAsync(elements, cancel);
    });

    /// <summary>A value announced as 400 MB, then its bytes until the client leaves.</summary>
    public static HostileRedisServer HugeValue() => new(async (stream, cancel) =>
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"*2\r\n${400 * 1000 * 1000}\r\n"), cancel);
        var chunk = new byte[64 * 1024];
        while (true)
            await stream.WriteAsync(chunk, cancel);
    });

    private async Task ServeAsync(Socket client)
    {
        using var stream = new NetworkStream(client, ownsSocket: true);
        var input = new BufferedStream(stream);
        var subscribed = false;
        try
        {
            while (await ReadCommandAsync(input) is { } command)
            {
                var name = Encoding.ASCII.GetString(command[0]).ToUpperInvariant();
                subscribed |= name == "SUBSCRIBE";
                if (subscribed && name == "PING")
                    await stream.WriteAsync("*2\r\n$4\r\npong\r\n$0\r\n\r\n"u8.ToArray(), _stop.Token); // as Redis answers a subscriber
                else if (HandshakeAnswer(name, command) is { } answer)
                    await stream.WriteAsync(answer, _stop.Token);
                else
                    await _hostileReply(stream, _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    // What the client asks while it connects (seen with redis-cli monitor), answered as a lone Redis 7 primary.
    private static byte[]? HandshakeAnswer(string name, IReadOnlyList<byte[]> command) => name switch
    {
        "PING" => "+PONG\r\n"u8.ToArray(),
        "ECHO" => Bulk(command[1]),
        "CLIENT" when Encoding.ASCII.GetString(command[1]).Equals("ID", StringComparison.OrdinalIgnoreCase) => ":7\r\n"u8.ToArray(),
        "INFO" => Bulk("# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\n# Replication\r\nrole:master\r\nconnected_slaves:0\r\n"u8.ToArray()),
        "SUBSCRIBE" => Encoding.ASCII.GetBytes("*3\r\n$9\r\nsubscribe\r\n").Concat(Bulk(command[1])).Concat(":1\r\n"u8.ToArray()).ToArray(),
        "GET" when Encoding.ASCII.GetString(command[1]).Contains("TieBreak", StringComparison.Ordinal) => "$-1\r\n"u8.ToArray(),
        "CLUSTER" or "HELLO" => "-ERR This instance has cluster support disabled\r\n"u8.ToArray(),
        "SCAN" or "HMGET" or "HGETALL" or "HGET" or "GET" or "KEYS" or "HSET" or "SET" or "EVAL" or "EVALSHA" or "DEL" => null,
        _ => "+OK\r\n"u8.ToArray(),
    };

    private static byte[] Bulk(byte[] value) => Encoding.ASCII.GetBytes($"${value.Length}\r\n").Concat(value).Concat("\r\n"u8.ToArray()).ToArray();

    // A command is an array of bulk strings: *N, then N times $len and that many bytes (the client's ECHO is binary).
    private static async Task<IReadOnlyList<byte[]>?> ReadCommandAsync(Stream input)
    {
        var header = await ReadLineAsync(input);
        if (header == null || !header.StartsWith('*'))
            return null;
        var parts = new List<byte[]>();
        for (var i = 0; i < int.Parse(header[1..]); i++)
        {
            var length = int.Parse((await ReadLineAsync(input) ?? "$0")[1..]);
            var value = new byte[length + 2];
            await input.ReadExactlyAsync(value);
            parts.Add(value[..length]);
        }
        return parts;
    }

    private static async Task<string?> ReadLineAsync(Stream input)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (await input.ReadAsync(one) == 1)
        {
            if (one[0] == '\n')
                return line.ToString().TrimEnd('\r');
            line.Append((char)one[0]);
        }
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await Task.WhenAny(_accepting, Task.Delay(2000));
        _stop.Dispose();
    }
}
