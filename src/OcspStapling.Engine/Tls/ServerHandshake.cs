namespace OcspStapling.Engine.Tls;

/// <summary>What a TLS 1.2 server sent up to ServerHelloDone: its chain, and its stapled response if any.</summary>
internal sealed record ServerHandshake(IReadOnlyList<byte[]> Chain, byte[]? StapledResponse);

/// <summary>A server's TLS answer could not be read; the message says why, in words an administrator can act on.</summary>
internal sealed class HandshakeException : Exception
{
    public HandshakeException(string message) : base(message) { }
}

/// <summary>Reads TLS records and handshake messages from a server, from ServerHello to ServerHelloDone.</summary>
internal static class ServerHandshakeReader
{
    private const int MaxHandshakeBytes = 256 * 1024;
    private const byte Handshake = 0x16;
    private const byte Alert = 0x15;

    public static async Task<ServerHandshake> ReadAsync(Stream stream, CancellationToken cancel)
    {
        var messages = new List<byte>();
        var chain = new List<byte[]>();
        byte[]? staple = null;
        var offset = 0;
        var total = 0;
        while (true)
        {
            var header = await ReadExactAsync(stream, 5, "a TLS record header", cancel).ConfigureAwait(false);
            var length = (header[3] << 8) | header[4];
            if (header[0] != Handshake && header[0] != Alert || header[1] != 0x03 || length > 18432 || length == 0)
                throw new HandshakeException(header[0] == (byte)'H' ? "it answered in plain HTTP, not TLS: wrong port?" : "it does not speak TLS on this port (the answer is not a TLS record)");
            var payload = await ReadExactAsync(stream, length, "a TLS record", cancel).ConfigureAwait(false);
            if (header[0] == Alert)
                throw new HandshakeException(AlertText(payload));
            total += length;
            if (total > MaxHandshakeBytes)
                throw new HandshakeException($"its handshake exceeds {MaxHandshakeBytes} bytes");
            messages.AddRange(payload);

            while (messages.Count - offset >= 4)
            {
                var type = messages[offset];
                var size = (messages[offset + 1] << 16) | (messages[offset + 2] << 8) | messages[offset + 3];
                if (messages.Count - offset - 4 < size)
                    break;
                var body = messages.GetRange(offset + 4, size).ToArray();
                offset += 4 + size;
                switch (type)
                {
                    case 2:
                        CheckServerHello(body);
                        break;
                    case 11:
                        chain = ParseCertificates(body);
                        break;
                    case 22:
                        staple = ParseCertificateStatus(body);
                        break;
                    case 14:
                        if (chain.Count == 0)
                            throw new HandshakeException("it sent no certificate");
                        return new ServerHandshake(chain, staple);
                }
            }
        }
    }

    private static void CheckServerHello(byte[] body)
    {
        if (body.Length < 2 || body[0] != 3 || body[1] != 3)
            throw new HandshakeException($"it chose protocol version {(body.Length >= 2 ? $"{body[0]}.{body[1]}" : "?")}, not TLS 1.2");
    }

    private static List<byte[]> ParseCertificates(byte[] body)
    {
        var certs = new List<byte[]>();
        if (body.Length < 3)
            throw new HandshakeException("its Certificate message is truncated");
        var end = 3 + ((body[0] << 16) | (body[1] << 8) | body[2]);
        if (end > body.Length)
            throw new HandshakeException("its Certificate message is shorter than the certificate list it announces");
        var at = 3;
        while (at + 3 <= end)
        {
            var length = (body[at] << 16) | (body[at + 1] << 8) | body[at + 2];
            at += 3;
            if (at + length > end)
                throw new HandshakeException("its Certificate message is truncated");
            certs.Add(body.AsSpan(at, length).ToArray());
            at += length;
        }
        if (at != end)
            throw new HandshakeException("its Certificate message has stray bytes after the last certificate");
        return certs;
    }

    private static byte[] ParseCertificateStatus(byte[] body)
    {
        if (body.Length < 4 || body[0] != 1)
            throw new HandshakeException("its CertificateStatus message is not an OCSP status");
        var length = (body[1] << 16) | (body[2] << 8) | body[3];
        if (4 + length > body.Length)
            throw new HandshakeException("its CertificateStatus message is truncated");
        return body.AsSpan(4, length).ToArray();
    }

    private static string AlertText(byte[] alert)
    {
        var description = alert.Length >= 2 ? alert[1] : (byte)0;
        return description switch
        {
            70 => "it refused TLS 1.2 (alert protocol_version): it offers only TLS 1.3, whose certificate messages are encrypted, so its staple cannot be probed this way; check with `openssl s_client -status -tls1_3`",
            40 => "it refused the handshake (alert handshake_failure): no common cipher suite, or it offers only TLS 1.3",
            112 => "it does not know the server name sent (alert unrecognized_name); give --servername/-ServerName",
            _ => $"it sent TLS alert {description}",
        };
    }

    private static async Task<byte[]> ReadExactAsync(Stream stream, int count, string what, CancellationToken cancel)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancel).ConfigureAwait(false);
            if (n == 0)
                throw new HandshakeException($"it closed the connection in the middle of {what}");
            read += n;
        }
        return buffer;
    }
}
