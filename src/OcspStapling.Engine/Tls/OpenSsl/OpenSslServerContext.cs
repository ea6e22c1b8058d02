using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OcspStapling.Engine.Tls.OpenSsl;

/// <summary>
/// One SSL_CTX per certificate the listener serves: the certificate, its intermediates and key, and the staple, which OpenSSL asks for
/// through its documented status callback (SSL_CTX_set_tlsext_status_cb) on each handshake whose client wants it.
/// A staple past its expiry is never sent, even before the keeper withdraws it.
/// </summary>
internal sealed unsafe class OpenSslServerContext : IServedContext
{
    private static readonly Lazy<string?> Problem = new(FindProblem);
    private volatile StapleBytes? _staple;

    private OpenSslServerContext(SslContextHandle handle) => Handle = handle;

    /// <summary>Null when libssl.so.3 can be used here; otherwise why not.</summary>
    public static string? Unsupported => Problem.Value;

    /// <summary>The SSL_CTX; connections made from it keep it alive after <see cref="Dispose"/>.</summary>
    public SslContextHandle Handle { get; }

    public static OpenSslServerContext Create(ServedCertificate served, bool allowResumption, OpenSslSni sni)
    {
        var context = new OpenSslServerContext(SslContextHandle.Create());
        try
        {
            context.Configure(served.Certificate, served.Intermediates, allowResumption);
            Require(sni.InstallOn(context.Handle), served.Certificate, "the server name (SNI) callback");
            return context;
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>Staple <paramref name="der"/> on following handshakes until <paramref name="expires"/>; null stops stapling.</summary>
    public void Staple(byte[]? der, DateTimeOffset expires) => _staple = der == null ? null : new StapleBytes(der, expires);

    public bool HasValidStaple => _staple is { } staple && staple.Expires > DateTimeOffset.UtcNow;

    private void Configure(X509Certificate2 certificate, X509Certificate2Collection intermediates, bool allowResumption)
    {
        Require(LibSsl.SSL_CTX_ctrl(Handle, LibSsl.CtrlSetMinProtocolVersion, LibSsl.Tls12, IntPtr.Zero) == 1, certificate, "the minimum protocol version (TLS 1.2)");
        // Idle connections give their buffers back, as nginx does; clients may not renegotiate (a DoS lever).
        LibSsl.SSL_CTX_ctrl(Handle, LibSsl.CtrlMode, LibSsl.ModeReleaseBuffers, IntPtr.Zero);
        // A peer that closes without close_notify has ended its stream, as SslStream treats it.
        LibSsl.SSL_CTX_set_options(Handle, LibSsl.OptionNoRenegotiation | LibSsl.OptionIgnoreUnexpectedEof);
        if (allowResumption)
        {
            LibSsl.SSL_CTX_ctrl(Handle, LibSsl.CtrlSetSessionCacheMode, LibSsl.SessionCacheTicketsOnly, IntPtr.Zero);
        }
        else
        {
            LibSsl.SSL_CTX_ctrl(Handle, LibSsl.CtrlSetSessionCacheMode, LibSsl.SessionCacheOff, IntPtr.Zero);
            LibSsl.SSL_CTX_set_options(Handle, LibSsl.OptionNoTicket);
            Require(LibSsl.SSL_CTX_set_num_tickets(Handle, 0) == 1, certificate, "turning session tickets off");
        }
        var leaf = X509(certificate);
        var used = LibSsl.SSL_CTX_use_certificate(Handle, leaf) == 1; // takes its own reference
        LibSsl.X509_free(leaf);
        Require(used, certificate, "the certificate");
        foreach (var intermediate in intermediates)
        {
            var x509 = X509(intermediate);
            var added = LibSsl.SSL_CTX_ctrl(Handle, LibSsl.CtrlChainCertificate, 0, x509) == 1; // "add0": owns it from now on
            if (!added)
                LibSsl.X509_free(x509);
            Require(added, intermediate, "an intermediate");
        }
        var key = PrivateKey(certificate);
        try
        {
            Require(LibSsl.SSL_CTX_use_PrivateKey(Handle, key) == 1 && LibSsl.SSL_CTX_check_private_key(Handle) == 1, certificate, "the private key");
        }
        finally
        {
            LibSsl.EVP_PKEY_free(key);
        }
        Require(LibSsl.SSL_CTX_callback_ctrl(Handle, LibSsl.CtrlSetStatusCallback, (IntPtr)(delegate* unmanaged<IntPtr, IntPtr, int>)&OnStatusRequest) == 1
            && LibSsl.SSL_CTX_ctrl(Handle, LibSsl.CtrlSetStatusCallbackArgument, 0, Handle.Pin(this)) == 1, certificate, "the OCSP status callback");
    }

    [UnmanagedCallersOnly]
    private static int OnStatusRequest(IntPtr ssl, IntPtr argument)
    {
        try
        {
            var context = (OpenSslServerContext)GCHandle.FromIntPtr(argument).Target!;
            if (context._staple is not { } staple || staple.Expires <= DateTimeOffset.UtcNow)
                return LibSsl.StatusNoAck;
            // OpenSSL frees the response with the connection, so it gets its own copy from OpenSSL's allocator.
            var copy = LibSsl.CRYPTO_malloc((nuint)staple.Der.Length, null, 0);
            if (copy == IntPtr.Zero)
                return LibSsl.StatusNoAck;
            Marshal.Copy(staple.Der, 0, copy, staple.Der.Length);
            LibSsl.SSL_ctrl(ssl, LibSsl.CtrlSetStatusResponse, staple.Der.Length, copy);
            return LibSsl.StatusOk;
        }
        catch
        {
            return LibSsl.StatusNoAck; // an exception must not cross into OpenSSL
        }
    }

    private static IntPtr X509(X509Certificate2 certificate)
    {
        var der = certificate.RawData;
        fixed (byte* start = der)
        {
            var cursor = start;
            var x509 = LibSsl.d2i_X509(IntPtr.Zero, &cursor, der.Length);
            return x509 != IntPtr.Zero ? x509 : throw new InvalidOperationException($"OpenSSL could not read the certificate '{certificate.Subject}': {LibSsl.TakeErrors()}");
        }
    }

    private static IntPtr PrivateKey(X509Certificate2 certificate)
    {
        AsymmetricAlgorithm? key = (AsymmetricAlgorithm?)certificate.GetRSAPrivateKey() ?? certificate.GetECDsaPrivateKey();
        using (key)
        {
            if (key == null)
                throw new InvalidOperationException($"No RSA or ECDSA private key with '{certificate.Subject}'.");
            var pkcs8 = key.ExportPkcs8PrivateKey();
            try
            {
                fixed (byte* start = pkcs8)
                {
                    var cursor = start;
                    var handle = LibSsl.d2i_AutoPrivateKey(IntPtr.Zero, &cursor, pkcs8.Length);
                    if (handle == IntPtr.Zero)
                        throw new InvalidOperationException($"OpenSSL could not read the private key of '{certificate.Subject}': {LibSsl.TakeErrors()}");
                    return handle;
                }
            }
            finally
            {
                CryptographicOperations.ZeroMemory(pkcs8);
            }
        }
    }

    private static void Require(bool ok, X509Certificate2 certificate, string what)
    {
        if (!ok)
            throw new InvalidOperationException($"OpenSSL refused {what} of '{certificate.Subject}': {LibSsl.TakeErrors()}");
    }

    private static string? FindProblem()
    {
        if (!OperatingSystem.IsLinux())
            return "the OpenSSL listener front runs on Linux only";
        if (!NativeLibrary.TryLoad(LibSsl.Ssl, out _) || !NativeLibrary.TryLoad(LibSsl.Crypto, out _))
            return $"{LibSsl.Ssl} (OpenSSL 3) is not installed";
        return null;
    }

    /// <summary>Idempotent and thread-safe (the SafeHandle's); the SSL_CTX is freed when the last connection using it is.</summary>
    public void Dispose() => Handle.Dispose();

    private sealed record StapleBytes(byte[] Der, DateTimeOffset Expires);
}
