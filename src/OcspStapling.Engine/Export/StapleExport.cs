using System.Text;
using OcspStapling.Engine.Operations;

namespace OcspStapling.Engine.Export;

/// <summary>Writes a staple where a web server loads it, refusing what a server should not staple.</summary>
public static class StapleExport
{
    /// <summary>The bytes a staple file of that format holds.</summary>
    public static byte[] Encode(byte[] der, StapleFormat format) =>
        format == StapleFormat.Der ? der : Encoding.ASCII.GetBytes(Convert.ToBase64String(der) + "\n");

    /// <summary>
    /// Writes <paramref name="result"/> to <paramref name="path"/> atomically. Without <paramref name="force"/>,
    /// a response that is not good or failed verification is refused and the existing file is left untouched.
    /// </summary>
    public static void Write(OcspResult result, string path, StapleFormat format, bool force)
    {
        if (!force && !result.IsFitToStaple)
        {
            throw new StaplingException(FailureReason.InvalidArgument, path,
                $"Not writing '{path}': the response for '{result.Bundle.DisplayName}' is not fit to staple ({result.Verification}). Any existing file is left unchanged; use --force/-Force to write it anyway.");
        }
        try
        {
            AtomicFile.Write(path, Encode(result.Response.RawData, format));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StaplingException(FailureReason.InvalidArgument, path, $"Cannot write staple file '{path}': {e.Message}. Check the directory exists and is writable.", e);
        }
    }

    /// <summary>The file name a certificate's staple gets in an export directory: HAProxy's "&lt;cert file&gt;.ocsp", else the thumbprint.</summary>
    public static string FileNameFor(OcspResult result, StapleFormat format) => FileNameFor(result.Bundle, format);

    /// <inheritdoc cref="FileNameFor(OcspResult, StapleFormat)"/>
    public static string FileNameFor(Certificates.CertificateBundle certificate, StapleFormat format) =>
        certificate.SourcePath is { } certPath
            ? Path.GetFileName(certPath) + (format == StapleFormat.Der ? ".ocsp" : ".ocsp.b64")
            : certificate.Leaf.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256).ToLowerInvariant() + (format == StapleFormat.Der ? ".der" : ".b64");
}
