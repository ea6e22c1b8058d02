using System.Runtime.InteropServices;

namespace OcspStapling.Engine.Tls.OpenSsl;

/// <summary>
/// The OpenSSL front's certificates by server name, nginx's way: every connection starts on the default SSL_CTX, and
/// OpenSSL's servername callback (SSL_CTX_set_tlsext_servername_callback) moves it to the SSL_CTX of the certificate
/// the client names (SSL_set_SSL_CTX) before the certificate and staple are chosen. The table is replaced whole on a
/// renewal; a handshake in progress keeps the context it was moved to (OpenSSL holds a reference). It also picks the
/// application protocol (ALPN) from the listener's list, the same for every certificate.
/// </summary>
internal sealed unsafe class OpenSslSni : IDisposable
{
    private const int ServerNameHost = 0; // TLSEXT_NAMETYPE_host_name
    private const int ServerNameAccepted = 0; // SSL_TLSEXT_ERR_OK

    private const int AlpnNegotiated = 1; // OPENSSL_NPN_NEGOTIATED
    private const int AlertFatal = 2; // SSL_TLSEXT_ERR_ALERT_FATAL: no_application_protocol, as RFC 7301 and nginx do
    private const int NoAcknowledgement = 3; // SSL_TLSEXT_ERR_NOACK

    private readonly GCHandle _self;
    private readonly IntPtr _alpn; // the protocols in ALPN's wire format, in unmanaged memory: OpenSSL points into it
    private readonly int _alpnLength;
    private volatile Snapshot? _current;

    /// <param name="alpn">Application protocols to offer, the preferred first; empty offers none.</param>
    public OpenSslSni(IReadOnlyList<string> alpn)
    {
        _self = GCHandle.Alloc(this);
        var wire = AlpnWire.Encode(alpn);
        _alpnLength = wire.Length;
        if (wire.Length > 0)
        {
            _alpn = Marshal.AllocHGlobal(wire.Length);
            Marshal.Copy(wire, 0, _alpn, wire.Length);
        }
    }

    /// <summary>Where connections start; null until the first <see cref="Use"/>.</summary>
    public OpenSslServerContext Default => _current?.Table.Default as OpenSslServerContext
        ?? throw new InvalidOperationException("No certificate to serve yet.");

    public void Use(ServerNameTable<IServedContext> table) =>
        _current = new Snapshot(table, table.All.Cast<OpenSslServerContext>().ToDictionary(c => c.Handle.DangerousGetHandle()));

    /// <summary>True when the context this connection ended on had a valid staple (for the stapled-handshake count).</summary>
    public bool HasValidStaple(SslHandle ssl) =>
        _current is { } snapshot && snapshot.ByPointer.TryGetValue(LibSsl.SSL_get_SSL_CTX(ssl), out var context) && context.HasValidStaple;

    /// <summary>Installs the servername callback on <paramref name="context"/>: any context can be the default one.</summary>
    public bool InstallOn(SslContextHandle context)
    {
        if (_alpnLength > 0)
            LibSsl.SSL_CTX_set_alpn_select_cb(context, (IntPtr)(delegate* unmanaged<IntPtr, byte**, byte*, byte*, uint, IntPtr, int>)&OnAlpn, GCHandle.ToIntPtr(_self));
        return LibSsl.SSL_CTX_callback_ctrl(context, LibSsl.CtrlSetServerNameCallback, (IntPtr)(delegate* unmanaged<IntPtr, int*, IntPtr, int>)&OnServerName) == 1
            && LibSsl.SSL_CTX_ctrl(context, LibSsl.CtrlSetServerNameArgument, 0, GCHandle.ToIntPtr(_self)) == 1;
    }

    /// <summary>The first of our protocols the client also offers; none in common ends the handshake (RFC 7301).</summary>
    [UnmanagedCallersOnly]
    private static int OnAlpn(IntPtr ssl, byte** output, byte* outputLength, byte* client, uint clientLength, IntPtr argument)
    {
        try
        {
            var sni = (OpenSslSni)GCHandle.FromIntPtr(argument).Target!;
            return LibSsl.SSL_select_next_proto(output, outputLength, (byte*)sni._alpn, (uint)sni._alpnLength, client, clientLength) == AlpnNegotiated
                ? ServerNameAccepted
                : AlertFatal;
        }
        catch
        {
            return NoAcknowledgement;
        }
    }

    [UnmanagedCallersOnly]
    private static int OnServerName(IntPtr ssl, int* alert, IntPtr argument)
    {
        try
        {
            var sni = (OpenSslSni)GCHandle.FromIntPtr(argument).Target!;
            var name = Marshal.PtrToStringAnsi(LibSsl.SSL_get_servername(ssl, ServerNameHost));
            if (sni._current?.Table.Pick(name) is not OpenSslServerContext chosen)
                return ServerNameAccepted;
            var added = false;
            chosen.Handle.DangerousAddRef(ref added); // fails only if that context was just disposed: stay on this one
            try
            {
                if (LibSsl.SSL_get_SSL_CTX(ssl) != chosen.Handle.DangerousGetHandle())
                    LibSsl.SSL_set_SSL_CTX(ssl, chosen.Handle.DangerousGetHandle()); // takes its own reference
            }
            finally
            {
                if (added)
                    chosen.Handle.DangerousRelease();
            }
        }
        catch
        {
            // An exception must not cross into OpenSSL; the connection stays on the default certificate.
        }
        return ServerNameAccepted;
    }

    /// <summary>Only once no handshake can run any more (the loop has stopped): the callback's argument dies here.</summary>
    public void Dispose()
    {
        if (_self.IsAllocated)
            _self.Free();
        if (_alpn != IntPtr.Zero)
            Marshal.FreeHGlobal(_alpn);
    }

    private sealed record Snapshot(ServerNameTable<IServedContext> Table, Dictionary<IntPtr, OpenSslServerContext> ByPointer);
}
