using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace OcspStapling.Tests.Support;

/// <summary>
/// Full TLS handshakes through the machine's OpenSSL (libssl.so.3), asking for the staple (status_request) as
/// browsers do. .NET's SslStream client cannot be told to ask, and Python's ssl module cannot either; s_client costs a
/// process per handshake. Used by the load test and the handshake benchmark. Blocking calls: run it on its own threads.
/// </summary>
public sealed class OpenSslHandshakeClient : IDisposable
{
    private const string Ssl = "libssl.so.3";
    private const int CtrlSetTlsextHostname = 55;
    private const int CtrlSetTlsextStatusType = 65;
    private const int CtrlGetTlsextStatusOcspResp = 70;
    private const int CtrlSetMaxProtoVersion = 124;
    private const int CtrlSetMinProtoVersion = 123;
    private const int StatusTypeOcsp = 1;

    private readonly IntPtr _context;

    /// <param name="tlsVersion">0x0303 for TLS 1.2, 0x0304 for TLS 1.3.</param>
    public OpenSslHandshakeClient(int tlsVersion)
    {
        _context = SSL_CTX_new(TLS_client_method());
        if (_context == IntPtr.Zero)
            throw new InvalidOperationException("SSL_CTX_new failed");
        SSL_CTX_ctrl(_context, CtrlSetMinProtoVersion, tlsVersion, IntPtr.Zero);
        SSL_CTX_ctrl(_context, CtrlSetMaxProtoVersion, tlsVersion, IntPtr.Zero);
    }

    public static bool Available => NativeLibrary.TryLoad(Ssl, out _);

    /// <summary>One full handshake asking for the staple; returns the stapled response's length (0 when none), then hangs up.</summary>
    public int Handshake(IPEndPoint server, string serverName)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(server);
        var ssl = SSL_new(_context);
        try
        {
            SSL_set_fd(ssl, (int)socket.Handle);
            SSL_ctrl(ssl, CtrlSetTlsextStatusType, StatusTypeOcsp, IntPtr.Zero);
            var name = Marshal.StringToHGlobalAnsi(serverName);
            try
            {
                SSL_ctrl(ssl, CtrlSetTlsextHostname, 0, name);
                if (SSL_connect(ssl) != 1)
                    throw new IOException($"TLS handshake with {server} failed (SSL_get_error {SSL_get_error(ssl, -1)})");
            }
            finally
            {
                Marshal.FreeHGlobal(name);
            }
            var length = (int)SSL_ctrl(ssl, CtrlGetTlsextStatusOcspResp, 0, out _);
            SSL_shutdown(ssl);
            return Math.Max(length, 0);
        }
        finally
        {
            SSL_free(ssl);
        }
    }

    /// <summary>Completes a handshake and keeps the connection open (for idle-connection memory measurements).</summary>
    public (Socket Socket, IntPtr Ssl) Open(IPEndPoint server, string serverName)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(server);
        var ssl = SSL_new(_context);
        SSL_set_fd(ssl, (int)socket.Handle);
        if (SSL_connect(ssl) != 1)
            throw new IOException($"TLS handshake with {server} failed");
        return (socket, ssl);
    }

    public static void Close((Socket Socket, IntPtr Ssl) connection)
    {
        SSL_free(connection.Ssl);
        connection.Socket.Dispose();
    }

    public void Dispose() => SSL_CTX_free(_context);

    [DllImport(Ssl)] private static extern IntPtr TLS_client_method();
    [DllImport(Ssl)] private static extern IntPtr SSL_CTX_new(IntPtr method);
    [DllImport(Ssl)] private static extern void SSL_CTX_free(IntPtr context);
    [DllImport(Ssl)] private static extern long SSL_CTX_ctrl(IntPtr context, int command, long larg, IntPtr parg);
    [DllImport(Ssl)] private static extern IntPtr SSL_new(IntPtr context);
    [DllImport(Ssl)] private static extern void SSL_free(IntPtr ssl);
    [DllImport(Ssl)] private static extern int SSL_set_fd(IntPtr ssl, int fd);
    [DllImport(Ssl)] private static extern long SSL_ctrl(IntPtr ssl, int command, long larg, IntPtr parg);
    [DllImport(Ssl, EntryPoint = "SSL_ctrl")] private static extern long SSL_ctrl(IntPtr ssl, int command, long larg, out IntPtr parg);
    [DllImport(Ssl)] private static extern int SSL_connect(IntPtr ssl);
    [DllImport(Ssl)] private static extern int SSL_shutdown(IntPtr ssl);
    [DllImport(Ssl)] private static extern int SSL_get_error(IntPtr ssl, int ret);
}
