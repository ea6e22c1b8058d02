using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Export;
using OcspStapling.Engine.Files;

namespace OcspStapling.Engine.Sites;

/// <summary>
/// What each certificate file's certificate was found to be (<see cref="CertificateSummary"/>), remembered between
/// runs by the SHA-256 of the file's bytes, so a file that did not change is read and hashed but not parsed again
/// (parsing is most of what a run in which nothing is due would cost). Keyed by content, not by name or time, an
/// entry cannot go stale: a changed file has another key. PFX files are never remembered (what they yield depends
/// on the password given). The file is advisory: a missing or damaged one, or a damaged line, reads as nothing
/// remembered; it is rewritten with the entries this run used when any were new or unused.
/// </summary>
/// <remarks>Looked up from several threads at once; <see cref="Use"/> and <see cref="Save"/> from one.</remarks>
public sealed class CertificateFactsCache
{
    private const string Header = "ocspstaple certificate facts v1";
    private const int MaxEntries = 2_000_000;
    private readonly string? _path;
    private readonly Dictionary<UInt128, CertificateSummary> _remembered = new();
    private readonly Dictionary<UInt128, CertificateSummary> _used = new();
    private bool _learned;

    private CertificateFactsCache(string? path) => _path = path;

    /// <summary>Remembers nothing and saves nothing.</summary>
    public static CertificateFactsCache None => new(null);

    /// <summary>The cache kept in <paramref name="path"/>; nothing remembered when it is missing or unreadable.</summary>
    public static CertificateFactsCache Open(string path)
    {
        var cache = new CertificateFactsCache(path);
        try
        {
            using var stream = RegularFile.TryOpen(path, followLinks: false);
            if (stream != null && stream.Length <= MaxEntries * 512L)
                cache.Load(new StreamReader(stream, Encoding.UTF8));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            cache._remembered.Clear(); // unreadable advice is no advice; this run parses and rewrites it
        }
        return cache;
    }

    /// <summary>How many files' facts are remembered from earlier runs.</summary>
    public int RememberedCount => _remembered.Count;

    /// <summary>The key of a certificate file's content.</summary>
    public static UInt128 KeyOf(ReadOnlySpan<byte> fileContent)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(fileContent, hash);
        // 128 of the 256 bits: collisions stay out of reach (2^64 work), and the key is half the size.
        return new UInt128(BitConverter.ToUInt64(hash), BitConverter.ToUInt64(hash[8..]));
    }

    /// <summary>What this content was found to hold in an earlier run. Only reads: safe from several threads at once.</summary>
    public bool TryGet(UInt128 key, out CertificateSummary facts) => _remembered.TryGetValue(key, out facts!);

    /// <summary>Marks an entry as used by this run (kept when saved); <paramref name="learned"/>: new, parsed in this run.</summary>
    public void Use(UInt128 key, CertificateSummary facts, bool learned)
    {
        if (_path == null || (learned && !Writable(facts)))
            return;
        _used[key] = facts;
        _learned |= learned;
    }

    /// <summary>
    /// Writes what this run used, when it differs from what was read; best effort (a cache that cannot be written
    /// costs the next run time, not correctness). Returns why it could not be written, or null.
    /// </summary>
    public string? Save()
    {
        if (_path == null || (!_learned && _used.Count == _remembered.Count))
            return null;
        try
        {
            AtomicFile.Write(_path, Serialize(), durable: false);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FileRefusedException)
        {
            return $"Cannot write the certificate cache '{_path}': {e.Message}.";
        }
    }

    private byte[] Serialize()
    {
        var text = new StringBuilder(Header.Length + 1 + _used.Count * 200);
        text.Append(Header).Append('\n');
        foreach (var (key, facts) in _used)
            text.Append(Line(key, facts)).Append('\n');
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>One entry as the file holds it: key, thumbprint, serial, validity (Unix ms), flags, subject; tab-separated.</summary>
    internal static string Line(UInt128 key, CertificateSummary f) => string.Join('\t',
        key.ToString("x32", CultureInfo.InvariantCulture),
        f.Thumbprint,
        f.SerialNumber,
        f.NotBefore.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        f.NotAfter.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        Flags(f),
        f.Subject);

    // A subject with a line break or tab could not be read back as one line; such a certificate is just parsed each run.
    private static bool Writable(CertificateSummary facts) => facts.Subject.IndexOfAny(new[] { '\n', '\r', '\t' }) < 0;

    private static string Flags(CertificateSummary f) =>
        (f.HasOcspUrl ? "o" : "") + (f.MustStaple ? "m" : "") + (f.IsAuthority ? "a" : "") + (f.IsSelfSigned ? "s" : "") + (f.HasChain ? "c" : "") + "-";

    // Line by line, so 100,000 entries never sit in memory twice; more lines than the cap are not ours.
    private void Load(TextReader reader)
    {
        if (reader.ReadLine() != Header)
            return; // another version's or not ours: start over
        var lines = 0;
        while (reader.ReadLine() is { } line && ++lines <= MaxEntries)
        {
            if (TryParse(line, out var key, out var facts))
                _remembered[key] = facts;
        }
    }

    internal static bool TryParse(string line, out UInt128 key, out CertificateSummary facts)
    {
        key = default;
        facts = null!;
        var fields = line.Split('\t', 7);
        if (fields.Length != 7
            || fields[0].Length != 32 || !UInt128.TryParse(fields[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out key)
            || fields[1].Length != 64 || !fields[1].All(char.IsAsciiHexDigitLower)
            || fields[2].Length == 0 || !fields[2].All(char.IsAsciiHexDigitUpper)
            || !TryParseTime(fields[3], out var notBefore) || !TryParseTime(fields[4], out var notAfter)
            || !fields[5].EndsWith('-') || fields[5].TrimEnd('-').Any(c => !"omasc".Contains(c)))
            return false;
        var flags = fields[5];
        facts = new CertificateSummary(fields[1], fields[6], fields[2], notBefore, notAfter,
            HasOcspUrl: flags.Contains('o'), MustStaple: flags.Contains('m'), IsAuthority: flags.Contains('a'), IsSelfSigned: flags.Contains('s'), HasChain: flags.Contains('c'));
        return true;
    }

    private static bool TryParseTime(string field, out DateTimeOffset time)
    {
        time = default;
        if (!long.TryParse(field, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms)
            || ms < DateTimeOffset.MinValue.ToUnixTimeMilliseconds() || ms > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
            return false;
        time = DateTimeOffset.FromUnixTimeMilliseconds(ms);
        return true;
    }
}
