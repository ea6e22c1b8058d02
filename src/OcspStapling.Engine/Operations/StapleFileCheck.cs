using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Files;
using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Transport;
using OcspStapling.Engine.Verification;

namespace OcspStapling.Engine.Operations;

/// <summary>Verifies a staple file already on disk (nginx's ssl_stapling_file, HAProxy's .ocsp) against its certificate.</summary>
public static class StapleFileCheck
{
    public static async Task<OcspResult> CheckAsync(string staplePath, CertificateBundle certificate, FetchOptions options, CancellationToken cancel = default)
    {
        var der = Read(staplePath);
        OcspResponse response;
        try
        {
            response = OcspResponseDecoder.Decode(der);
        }
        catch (OcspFormatException e)
        {
            throw new StaplingException(FailureReason.StapleFileUnreadable, staplePath,
                $"Staple file '{staplePath}' is not a DER OCSP response: {e.Message}. Fetch a new one with 'ocspstaple export'.", e);
        }
        return await JudgeAsync(response, staplePath, certificate, options, cancel).ConfigureAwait(false);
    }

    /// <summary>Verifies a staple obtained other than by fetching (a file, a server's handshake) against its certificate.</summary>
    internal static async Task<OcspResult> JudgeAsync(OcspResponse response, string source, CertificateBundle certificate, FetchOptions options, CancellationToken cancel)
    {
        using var http = new ResponderHttp(new TransportOptions());
        var issuer = await new IssuerLocator(http).LocateAsync(certificate, options.Issuers, options.TrustedCertificatesFile, cancel).ConfigureAwait(false);
        var verdict = OcspVerifier.Verify(response, certificate.Leaf, issuer.Certificate, null, options.Verification, DateTimeOffset.UtcNow);
        return new OcspResult(certificate, issuer, source, null, response, verdict, options.SkipVerification);
    }

    private static byte[] Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = RegularFile.Read(path, OcspResponseDecoder.MaxInputBytes);
        }
        catch (FileRefusedException e)
        {
            throw new StaplingException(FailureReason.StapleFileUnreadable, path, $"Cannot read staple file '{path}': {e.Message}.", e);
        }
        // HAProxy's runtime API takes base64; accept a file of it too.
        if (!LooksLikeBase64(bytes))
            return bytes;
        var text = System.Text.Encoding.ASCII.GetString(bytes).Trim();
        var decoded = new byte[text.Length];
        return Convert.TryFromBase64String(text, decoded, out var length)
            ? decoded[..length]
            : throw new StaplingException(FailureReason.StapleFileUnreadable, path,
                $"Staple file '{path}' looks like base64 but does not decode; give the DER staple or its complete base64 text.");
    }

    private static bool LooksLikeBase64(byte[] bytes) =>
        bytes.Length > 0 && bytes[0] == (byte)'M' && bytes.All(b => b is (byte)'+' or (byte)'/' or (byte)'=' or (byte)'\n' or (byte)'\r'
            or >= (byte)'0' and <= (byte)'9' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z');
}
