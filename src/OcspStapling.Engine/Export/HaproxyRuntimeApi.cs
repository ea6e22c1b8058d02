using System.Net.Sockets;
using System.Text;

namespace OcspStapling.Engine.Export;

/// <summary>HAProxy's admin socket could not be used at all (absent, refusing, silent): no other push will fare better.</summary>
public sealed class HaproxySocketException : Exception
{
    public HaproxySocketException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>Pushes a staple into a running HAProxy through its admin socket (`set ssl ocsp-response`), no reload needed.</summary>
public static class HaproxyRuntimeApi
{
    /// <summary>HAProxy answers a line; more than this is not an answer to our command.</summary>
    public const int MaxReplyBytes = 16 * 1024;

    /// <exception cref="HaproxySocketException">The socket could not be reached or did not answer in time.</exception>
    /// <exception cref="StaplingException">HAProxy answered and refused the staple.</exception>
    public static async Task PushAsync(string socketPath, byte[] der, TimeSpan timeout, CancellationToken cancel)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(timeout);
        string answer;
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), deadline.Token).ConfigureAwait(false);
            await socket.SendAsync(Encoding.ASCII.GetBytes($"set ssl ocsp-response {Convert.ToBase64String(der)}\n"), SocketFlags.None, deadline.Token).ConfigureAwait(false);
            answer = await ReadReplyAsync(socket, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or IOException or ArgumentException || e is OperationCanceledException && !cancel.IsCancellationRequested)
        {
            var what = e is OperationCanceledException ? $"no answer within {timeout.TotalSeconds:0} s" : e.Message;
            throw new HaproxySocketException($"Cannot talk to HAProxy's admin socket '{socketPath}': {what}. Is HAProxy running with 'stats socket {socketPath} level admin'?", e);
        }
        if (!answer.Contains("OCSP Response updated", StringComparison.OrdinalIgnoreCase))
            throw new StaplingException(FailureReason.InvalidArgument, socketPath, $"HAProxy did not take the staple: '{Printable(answer)}'. It accepts only staples for certificates it loaded with OCSP (a <cert>.ocsp file or the issuer in the crt file).");
    }

    // HAProxy closes after one command in non-interactive mode; a peer that floods instead is cut off at the cap.
    private static async Task<string> ReadReplyAsync(Socket socket, CancellationToken cancel)
    {
        var reply = new byte[MaxReplyBytes];
        var length = 0;
        while (length < reply.Length)
        {
            var read = await socket.ReceiveAsync(reply.AsMemory(length), SocketFlags.None, cancel).ConfigureAwait(false);
            if (read == 0)
                break;
            length += read;
        }
        return Encoding.ASCII.GetString(reply, 0, length).Trim();
    }

    private static string Printable(string answer)
    {
        var line = new string(answer.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        return line.Length > 200 ? line[..200] + "…" : line;
    }
}
