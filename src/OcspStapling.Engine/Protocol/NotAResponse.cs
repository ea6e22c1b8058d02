using System.Text;

namespace OcspStapling.Engine.Protocol;

/// <summary>Recognises files that are commonly given where a staple belongs, to say what they are instead of "malformed".</summary>
internal static class NotAResponse
{
    /// <summary>What the bytes are, when they are plainly something else than a DER OCSP response; otherwise null.</summary>
    public static string? Describe(ReadOnlySpan<byte> data)
    {
        var head = Encoding.ASCII.GetString(data[..Math.Min(data.Length, 4096)]);
        var begin = head.IndexOf("-----BEGIN ", StringComparison.Ordinal);
        if (begin >= 0)
        {
            var label = head[(begin + 11)..].Split('-', 2)[0];
            return label.Contains("CERTIFICATE", StringComparison.Ordinal) && !label.Contains("REQUEST", StringComparison.Ordinal)
                ? $"it is a PEM certificate ({label}), not an OCSP response: name the staple file here and the certificate separately"
                : $"it is a PEM file ({label}), not a DER OCSP response";
        }
        return LooksLikeDerCertificate(data) ? "it is a DER certificate, not an OCSP response: name the staple file here and the certificate separately" : null;
    }

    // A certificate is SEQUENCE { SEQUENCE tbsCertificate, ... }; an OCSPResponse is SEQUENCE { ENUMERATED, ... }.
    private static bool LooksLikeDerCertificate(ReadOnlySpan<byte> data)
    {
        if (data.Length < 8 || data[0] != 0x30)
            return false;
        var at = 1 + (data[1] < 0x80 ? 1 : 1 + (data[1] & 0x7f));
        return at + 1 < data.Length && data[at] == 0x30 && data[at + 1] >= 0x80;
    }
}
