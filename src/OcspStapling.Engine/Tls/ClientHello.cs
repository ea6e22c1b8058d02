using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace OcspStapling.Engine.Tls;

/// <summary>
/// A TLS 1.2 ClientHello that asks for a stapled OCSP response (status_request, RFC 6066 8) and names the server
/// (SNI). TLS 1.2 because its Certificate and CertificateStatus messages travel in the clear, so the probe can
/// read them and stop without completing a handshake; in TLS 1.3 they are encrypted.
/// </summary>
internal static class ClientHello
{
    private static readonly ushort[] CipherSuites =
    {
        0xC02F, 0xC030, 0xC02B, 0xC02C, 0xCCA8, 0xCCA9, 0xC013, 0xC014, 0xC009, 0xC00A, 0x009C, 0x009D, 0x002F, 0x0035,
    };

    private static readonly ushort[] SignatureAlgorithms =
    {
        0x0401, 0x0501, 0x0601, 0x0804, 0x0805, 0x0806, 0x0403, 0x0503, 0x0603, 0x0201, 0x0203,
    };

    private static readonly ushort[] Groups = { 0x001D, 0x0017, 0x0018 };

    public static byte[] Build(string? serverName)
    {
        var body = new List<byte> { 0x03, 0x03 };
        body.AddRange(RandomNumberGenerator.GetBytes(32));
        body.Add(0); // no session id
        AddVector16(body, CipherSuites.SelectMany(U16));
        body.AddRange(new byte[] { 1, 0 }); // compression: null only

        var extensions = new List<byte>();
        if (serverName != null && !IPAddress.TryParse(serverName, out _))
        {
            var name = Encoding.ASCII.GetBytes(serverName);
            var entry = new List<byte> { 0 };
            AddVector16(entry, name);
            var list = new List<byte>();
            AddVector16(list, entry);
            AddExtension(extensions, 0x0000, list);
        }
        AddExtension(extensions, 0x0005, new byte[] { 1, 0, 0, 0, 0 }); // status_request: ocsp, no responder ids, no extensions
        var groups = new List<byte>();
        AddVector16(groups, Groups.SelectMany(U16));
        AddExtension(extensions, 0x000A, groups);
        AddExtension(extensions, 0x000B, new byte[] { 1, 0 }); // ec_point_formats: uncompressed
        var signatures = new List<byte>();
        AddVector16(signatures, SignatureAlgorithms.SelectMany(U16));
        AddExtension(extensions, 0x000D, signatures);
        AddExtension(extensions, 0x0017, Array.Empty<byte>()); // extended_master_secret
        AddExtension(extensions, 0xFF01, new byte[] { 0 }); // renegotiation_info, empty
        AddVector16(body, extensions);

        var handshake = new List<byte> { 1 };
        handshake.AddRange(U24(body.Count));
        handshake.AddRange(body);
        var record = new List<byte> { 0x16, 0x03, 0x01 };
        record.AddRange(U16((ushort)handshake.Count));
        record.AddRange(handshake);
        return record.ToArray();
    }

    private static void AddExtension(List<byte> extensions, ushort type, IEnumerable<byte> data)
    {
        extensions.AddRange(U16(type));
        AddVector16(extensions, data);
    }

    private static void AddVector16(List<byte> target, IEnumerable<byte> data)
    {
        var bytes = data.ToArray();
        target.AddRange(U16((ushort)bytes.Length));
        target.AddRange(bytes);
    }

    private static byte[] U16(ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] U24(int value) => new[] { (byte)(value >> 16), (byte)(value >> 8), (byte)value };
}
