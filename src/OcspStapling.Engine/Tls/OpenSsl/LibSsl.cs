using System.Runtime.InteropServices;
using System.Text;

namespace OcspStapling.Engine.Tls.OpenSsl;

/// <summary>
/// The parts of OpenSSL 3's public C API (libssl.so.3, libcrypto.so.3) that the OpenSSL listener front uses.
/// Constants are the values of OpenSSL 3.0's macros (ssl.h, tls1.h, bio.h), which are stable ABI.
/// </summary>
internal static unsafe class LibSsl
{
    public const string Ssl = "libssl.so.3";
    public const string Crypto = "libcrypto.so.3";

    public const int ErrorWantRead = 2;
    public const int ErrorWantWrite = 3;
    public const int ErrorSyscall = 5;
    public const int ErrorZeroReturn = 6;

    public const int CtrlMode = 33;
    public const int CtrlSetSessionCacheMode = 44;
    public const int CtrlSetServerNameCallback = 53;
    public const int CtrlSetServerNameArgument = 54;
    public const int CtrlSetStatusCallback = 63;
    public const int CtrlSetStatusCallbackArgument = 64;
    public const int CtrlSetStatusResponse = 71;
    public const int CtrlChainCertificate = 89;
    public const int CtrlSetMinProtocolVersion = 123;
    public const int BioCtrlPending = 10;

    public const long ModeReleaseBuffers = 0x10;
    public const int Tls12 = 0x0303;
    public const ulong OptionNoTicket = 0x4000;
    public const ulong OptionNoRenegotiation = 0x40000000;
    public const ulong OptionIgnoreUnexpectedEof = 0x80;
    /// <summary>SSL_SESS_CACHE_SERVER | NO_AUTO_CLEAR | NO_INTERNAL_STORE: nginx's default ("none"): resumption by tickets, no server-side store.</summary>
    public const long SessionCacheTicketsOnly = 0x2 | 0x80 | 0x200;
    public const long SessionCacheOff = 0;

    public const int StatusOk = 0;
    public const int StatusNoAck = 3;

    [DllImport(Crypto)] public static extern IntPtr OpenSSL_version(int type);
    [DllImport(Ssl)] public static extern IntPtr TLS_server_method();
    [DllImport(Ssl)] public static extern IntPtr SSL_CTX_new(IntPtr method);
    [DllImport(Ssl)] public static extern void SSL_CTX_free(IntPtr context);
    [DllImport(Ssl)] public static extern long SSL_CTX_ctrl(SslContextHandle context, int command, long larg, IntPtr parg);
    [DllImport(Ssl)] public static extern long SSL_CTX_callback_ctrl(SslContextHandle context, int command, IntPtr callback);
    [DllImport(Ssl)] public static extern ulong SSL_CTX_set_options(SslContextHandle context, ulong options);
    [DllImport(Ssl)] public static extern int SSL_CTX_set_num_tickets(SslContextHandle context, nuint count);
    [DllImport(Ssl)] public static extern int SSL_CTX_use_certificate(SslContextHandle context, IntPtr x509);
    [DllImport(Ssl)] public static extern int SSL_CTX_use_PrivateKey(SslContextHandle context, IntPtr key);
    [DllImport(Ssl)] public static extern int SSL_CTX_check_private_key(SslContextHandle context);

    [DllImport(Ssl)] public static extern IntPtr SSL_new(IntPtr context);
    [DllImport(Ssl)] public static extern void SSL_free(IntPtr ssl);
    [DllImport(Ssl)] public static extern void SSL_set_bio(SslHandle ssl, IntPtr readBio, IntPtr writeBio);
    [DllImport(Ssl)] public static extern void SSL_set0_wbio(SslHandle ssl, IntPtr writeBio);
    [DllImport(Ssl)] public static extern void SSL_set_accept_state(SslHandle ssl);
    [DllImport(Ssl)] public static extern int SSL_do_handshake(SslHandle ssl);
    [DllImport(Ssl)] public static extern int SSL_read(SslHandle ssl, byte* buffer, int length);
    [DllImport(Ssl)] public static extern int SSL_write(SslHandle ssl, byte* buffer, int length);
    [DllImport(Ssl)] public static extern int SSL_shutdown(SslHandle ssl);
    [DllImport(Ssl)] public static extern int SSL_get_error(SslHandle ssl, int result);
    [DllImport(Ssl)] public static extern long SSL_ctrl(IntPtr ssl, int command, long larg, IntPtr parg);
    [DllImport(Ssl)] public static extern IntPtr SSL_get_servername(IntPtr ssl, int type);
    [DllImport(Ssl)] public static extern void SSL_CTX_set_alpn_select_cb(SslContextHandle context, IntPtr callback, IntPtr argument);
    [DllImport(Ssl)] public static extern int SSL_select_next_proto(byte** output, byte* outputLength, byte* server, uint serverLength, byte* client, uint clientLength);
    [DllImport(Ssl)] public static extern void SSL_get0_alpn_selected(SslHandle ssl, byte** data, uint* length);
    [DllImport(Ssl)] public static extern IntPtr SSL_get_SSL_CTX(IntPtr ssl);
    [DllImport(Ssl)] public static extern IntPtr SSL_get_SSL_CTX(SslHandle ssl);
    [DllImport(Ssl)] public static extern IntPtr SSL_set_SSL_CTX(IntPtr ssl, IntPtr context);

    [DllImport(Crypto)] public static extern IntPtr CRYPTO_malloc(nuint size, byte* file, int line);
    [DllImport(Crypto)] public static extern IntPtr d2i_X509(IntPtr reuse, byte** der, long length);
    [DllImport(Crypto)] public static extern void X509_free(IntPtr x509);
    [DllImport(Crypto)] public static extern IntPtr d2i_AutoPrivateKey(IntPtr reuse, byte** der, long length);
    [DllImport(Crypto)] public static extern void EVP_PKEY_free(IntPtr key);
    [DllImport(Crypto)] public static extern IntPtr BIO_new_socket(int fd, int closeFlag);
    [DllImport(Crypto)] public static extern IntPtr BIO_new(IntPtr method);
    [DllImport(Crypto)] public static extern int BIO_free(IntPtr bio); // accepts NULL
    [DllImport(Crypto)] public static extern IntPtr BIO_s_mem();
    [DllImport(Crypto)] public static extern int BIO_read(IntPtr bio, byte* buffer, int length);
    [DllImport(Crypto)] public static extern long BIO_ctrl(IntPtr bio, int command, long larg, IntPtr parg);
    [DllImport(Crypto)] public static extern void ERR_clear_error();
    [DllImport(Crypto)] public static extern ulong ERR_get_error();
    [DllImport(Crypto)] public static extern void ERR_error_string_n(ulong error, byte* buffer, nuint length);

    /// <summary>OpenSSL's queued errors on this thread as text (and clears them), for messages.</summary>
    public static string TakeErrors()
    {
        var text = new StringBuilder();
        var buffer = stackalloc byte[256];
        for (ulong error; (error = ERR_get_error()) != 0;)
        {
            ERR_error_string_n(error, buffer, 256);
            text.Append(text.Length > 0 ? "; " : "").Append(Marshal.PtrToStringAnsi((IntPtr)buffer));
        }
        return text.Length > 0 ? text.ToString() : "no detail from OpenSSL";
    }

    /// <summary>"OpenSSL 3.0.19 27 Jan 2026", the library actually loaded.</summary>
    public static string Version => Marshal.PtrToStringAnsi(OpenSSL_version(0)) ?? "OpenSSL 3";
}
