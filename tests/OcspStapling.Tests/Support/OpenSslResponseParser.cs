using System.Runtime.InteropServices;

namespace OcspStapling.Tests.Support;

/// <summary>
/// OpenSSL's own reading of a response, in-process through libcrypto.so.3: what `openssl ocsp -respin F -noverify`
/// does before it prints (d2i_OCSP_RESPONSE, then for a successful status OCSP_response_get1_basic). In-process
/// because a differential property runs thousands of cases and a process each costs about 13 ms.
/// </summary>
public static class OpenSslResponseParser
{
    private const string Crypto = "libcrypto.so.3";

    /// <summary>True when OpenSSL reads the bytes as a response (and, for status 0, its basic response).</summary>
    public static bool Accepts(byte[] der)
    {
        var start = Marshal.AllocHGlobal(Math.Max(der.Length, 1));
        try
        {
            Marshal.Copy(der, 0, start, der.Length);
            var cursor = start;
            var response = d2i_OCSP_RESPONSE(IntPtr.Zero, ref cursor, der.Length);
            if (response == IntPtr.Zero)
            {
                ERR_clear_error();
                return false;
            }
            try
            {
                if (OCSP_response_status(response) != 0)
                    return true;
                var basic = OCSP_response_get1_basic(response);
                if (basic == IntPtr.Zero)
                {
                    ERR_clear_error();
                    return false;
                }
                OCSP_BASICRESP_free(basic);
                return true;
            }
            finally
            {
                OCSP_RESPONSE_free(response);
            }
        }
        finally
        {
            Marshal.FreeHGlobal(start);
        }
    }

    [DllImport(Crypto)]
    private static extern IntPtr d2i_OCSP_RESPONSE(IntPtr target, ref IntPtr cursor, long length);

    [DllImport(Crypto)]
    private static extern int OCSP_response_status(IntPtr response);

    [DllImport(Crypto)]
    private static extern IntPtr OCSP_response_get1_basic(IntPtr response);

    [DllImport(Crypto)]
    private static extern void OCSP_BASICRESP_free(IntPtr basic);

    [DllImport(Crypto)]
    private static extern void OCSP_RESPONSE_free(IntPtr response);

    [DllImport(Crypto)]
    private static extern void ERR_clear_error();
}
