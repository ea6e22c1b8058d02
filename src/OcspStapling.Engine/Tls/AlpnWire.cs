using System.Text;

namespace OcspStapling.Engine.Tls;

/// <summary>ALPN protocol names (RFC 7301): checked as given, and encoded as the TLS extension carries them.</summary>
public static class AlpnWire
{
    /// <summary>Each name as a length byte and its bytes, in order of preference.</summary>
    internal static byte[] Encode(IReadOnlyList<string> protocols)
    {
        var wire = new List<byte>();
        foreach (var protocol in protocols)
        {
            var bytes = Encoding.ASCII.GetBytes(protocol);
            wire.Add((byte)bytes.Length);
            wire.AddRange(bytes);
        }
        return wire.ToArray();
    }

    /// <summary>"h2,http/1.1" as a list; a name that ALPN cannot carry is the caller's error, named.</summary>
    public static IReadOnlyList<string> Parse(string list, string option)
    {
        var protocols = list.Split(',', StringSplitOptions.TrimEntries);
        foreach (var protocol in protocols)
        {
            if (protocol.Length is 0 or > 255 || protocol.Any(c => c is < '!' or > '~'))
                throw new StaplingException(FailureReason.InvalidArgument, list, $"{option} '{list}': '{protocol}' is not a protocol name ALPN can carry (1 to 255 printable ASCII characters; for example h2,http/1.1).");
        }
        return protocols;
    }
}
