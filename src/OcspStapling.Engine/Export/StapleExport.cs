using System.Text;
using OcspStapling.Engine.Files;
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
        WriteFile(path, Encode(result.Response.RawData, format));
    }

    /// <summary>
    /// Writes staple bytes where a server loads them: the directory is created when missing (as `mkdir -p`, 0755)
    /// and refused when others could write to it; the file is replaced atomically and only when it is a regular
    /// file or a link (the link itself is replaced).
    /// </summary>
    public static void WriteFile(string path, byte[] content, string what = "staple file")
    {
        try
        {
            SafeDirectory.Prepare(Path.GetDirectoryName(Path.GetFullPath(path))!);
            AtomicFile.Write(path, content);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var why = e is FileRefusedException ? e.Message : $"{e.Message}; check that its directory is writable and has space";
            throw new StaplingException(FailureReason.InvalidArgument, path, $"Cannot write {what} '{path}': {why}.", e);
        }
    }

    /// <summary>True when <paramref name="path"/> already holds exactly <paramref name="content"/> as a regular file.</summary>
    public static bool IsCurrent(string path, byte[] content)
    {
        try
        {
            return RegularFile.TryRead(path, content.Length, followLinks: false) is { } existing && existing.AsSpan().SequenceEqual(content);
        }
        catch (FileRefusedException)
        {
            return false; // larger, special or unreadable: let the write say what is wrong
        }
    }

    /// <summary>
    /// The file name a certificate's staple gets in an export directory: the site's export name (HAProxy's
    /// "&lt;cert file&gt;.ocsp", "&lt;thumbprint&gt;.ocsp" for a certificate without a file), ".b64" added for base64.
    /// </summary>
    public static string FileNameFor(OcspResult result, StapleFormat format) => FileNameFor(result.Bundle, format);

    /// <inheritdoc cref="FileNameFor(OcspResult, StapleFormat)"/>
    public static string FileNameFor(Certificates.CertificateBundle certificate, StapleFormat format) =>
        Sites.Site.ForCertificate(certificate).ExportName + (format == StapleFormat.Der ? "" : ".b64");
}
