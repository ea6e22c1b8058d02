using System.Net.Sockets;
using System.Text;

namespace OcspStapling.Engine.Export;

/// <summary>Pushes a staple into a running HAProxy through its admin socket (`set ssl ocsp-response`), no reload needed.</summary>
public static class HaproxyRuntimeApi
{
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
            var reply = new MemoryStream();
            var buffer = new byte[4096];
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token).ConfigureAwait(false)) > 0)
                reply.Write(buffer, 0, read);
            answer = Encoding.ASCII.GetString(reply.ToArray()).Trim();
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException && !cancel.IsCancellationRequested)
        {
            throw new StaplingException(FailureReason.InvalidArgument, socketPath, $"Cannot talk to HAProxy's admin socket '{socketPath}': {e.Message}. Is HAProxy running with 'stats socket {socketPath} level admin'?", e);
        }
        if (!answer.Contains("OCSP Response updated", StringComparison.OrdinalIgnoreCase))
            throw new StaplingException(FailureReason.InvalidArgument, socketPath, $"HAProxy did not take the staple: '{answer}'. It accepts only staples for certificates it loaded with OCSP (a <cert>.ocsp file or the issuer in the crt file).");
    }
}
