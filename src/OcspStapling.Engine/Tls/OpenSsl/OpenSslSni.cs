using System.Runtime.InteropServices;

namespace OcspStapling.Engine.Tls.OpenSsl;

/// <summary>
/// The OpenSSL front's certificates by server name, nginx's way: every connection starts on the default SSL_CTX, and
/// OpenSSL's servername callback (SSL_CTX_set_tlsext_servername_callback) moves it to the SSL_CTX of the certificate
/// the client names (SSL_set_SSL_CTX) before the certificate and staple are chosen. The table is replaced whole on a
/// renewal; a handshake in progress keeps the context it was moved to (OpenSSL holds a reference).
/// </summary>
internal sealed unsafe class OpenSslSni : IDisposable
{
    private const int ServerNameHost = 0; // TLSEXT_NAMETYPE_host_name
    private const int ServerNameAccepted = 0; // SSL_TLSEXT_ERR_OK

    private readonly GCHandle _self;
    private volatile Snapshot? _current;

    public OpenSslSni() => _self = GCHandle.Alloc(this);

    /// <summary>Where connections start; null until the first <see cref="Use"/>.</summary>
    public OpenSslServerContext Default => _current?.Table.Default as OpenSslServerContext
        ?? throw new InvalidOperationException("No certificate to serve yet.");

    public void Use(ServerNameTable<IServedContext> table) =>
        _current = new Snapshot(table, table.All.Cast<OpenSslServerContext>().ToDictionary(c => c.Handle.DangerousGetHandle()));

    /// <summary>True when the context this connection ended on had a valid staple (for the stapled-handshake count).</summary>
    public bool HasValidStaple(SslHandle ssl) =>
        _current is { } snapshot && snapshot.ByPointer.TryGetValue(LibSsl.SSL_get_SSL_CTX(ssl), out var context) && context.HasValidStaple;

    /// <summary>Installs the servername callback on <paramref name="context"/>: any context can be the default one.</summary>
    public bool InstallOn(SslContextHandle context) =>
        LibSsl.SSL_CTX_callback_ctrl(context, LibSsl.CtrlSetServerNameCallback, (IntPtr)(delegate* unmanaged<IntPtr, int*, IntPtr, int>)&OnServerName) == 1
        && LibSsl.SSL_CTX_ctrl(context, LibSsl.CtrlSetServerNameArgument, 0, GCHandle.ToIntPtr(_self)) == 1;

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
    }

    private sealed record Snapshot(ServerNameTable<IServedContext> Table, Dictionary<IntPtr, OpenSslServerContext> ByPointer);
}
