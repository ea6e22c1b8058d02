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
    private const string Header = "ocspstaple certificate facts v2";
    private const int MaxEntries = 2_000_000;
    private readonly string? _path;
    // What earlier runs remembered, compactly (100,000 entries in about 15 MB: the file itself): the keys sorted, each with where
    // its line (UTF-8) starts in one array; a line is parsed again only when its file is found.
    private UInt128[] _keys = Array.Empty<UInt128>();
    private int[] _starts = Array.Empty<int>();
    private byte[] _lines = Array.Empty<byte>();
    private bool[] _used = Array.Empty<bool>();
    // What this run parsed that no earlier run had, as the lines the file will hold.
    private readonly MemoryStream _learned = new();
    private readonly HashSet<UInt128> _learnedKeys = new();

    private CertificateFactsCache(string? path) => _path = path;

    /// <summary>Remembers nothing and saves nothing.</summary>
    public static CertificateFactsCache None => new(null);

    /// <summary>The cache kept in <paramref name="path"/>; nothing remembered when it is missing or unreadable, or the store keeps none (null).</summary>
    public static CertificateFactsCache Open(string? path)
    {
        if (path == null)
            return None;
        var cache = new CertificateFactsCache(path);
        try
        {
            if (RegularFile.TryRead(path, MaxEntries * 512L, followLinks: false) is { } bytes)
                cache.Index(bytes);
        }
        catch (FileRefusedException)
        {
            // Unreadable advice is no advice: this run parses the files and rewrites it.
        }
        return cache;
    }

    /// <summary>How many files' facts are remembered from earlier runs.</summary>
    public int RememberedCount => _keys.Length;

    /// <summary>The key of a certificate file's content.</summary>
    public static UInt128 KeyOf(ReadOnlySpan<byte> fileContent)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(fileContent, hash);
        // 128 of the 256 bits: collisions stay out of reach (2^64 work), and the key is half the size.
        return new UInt128(BitConverter.ToUInt64(hash), BitConverter.ToUInt64(hash[8..]));
    }

    /// <summary>What this content was found to hold in an earlier run. Only reads: safe from several threads at once.</summary>
    public bool TryGet(UInt128 key, out CertificateSummary facts)
    {
        facts = null!;
        var index = Array.BinarySearch(_keys, key);
        return index >= 0 && TryParse(Encoding.UTF8.GetString(Line(index)), out _, out facts);
    }

    /// <summary>Marks an entry as used by this run (kept when saved); <paramref name="learned"/>: new, parsed in this run.</summary>
    public void Use(UInt128 key, CertificateSummary facts, bool learned)
    {
        if (_path == null)
            return;
        if (!learned)
        {
            if (Array.BinarySearch(_keys, key) is >= 0 and var index)
                _used[index] = true;
            return;
        }
        if (!Writable(facts) || !_learnedKeys.Add(key))
            return;
        _learned.Write(Encoding.UTF8.GetBytes(Line(key, facts) + "\n"));
    }

    /// <summary>
    /// Writes what this run used, when it differs from what was read; best effort (a cache that cannot be written
    /// costs the next run time, not correctness). Returns why it could not be written, or null.
    /// </summary>
    public string? Save()
    {
        if (_path == null || (_learnedKeys.Count == 0 && Array.TrueForAll(_used, used => used)))
            return null;
        try
        {
            AtomicFile.Write(_path, WriteTo, durable: false);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FileRefusedException)
        {
            return $"Cannot write the certificate cache '{_path}': {e.Message}.";
        }
    }

    private void WriteTo(Stream file)
    {
        var output = new BufferedStream(file, 64 * 1024); // flushed, not disposed: the file is the caller's to close
        output.Write(Encoding.UTF8.GetBytes(Header + "\n"));
        for (var i = 0; i < _keys.Length; i++)
        {
            if (!_used[i])
                continue;
            output.Write(Line(i));
            output.WriteByte((byte)'\n');
        }
        output.Write(_learned.GetBuffer().AsSpan(0, (int)_learned.Length));
        output.Flush();
    }

    // 32 lower-case hex digits, read without making a string of each of 100,000 lines.
    private static bool TryParseKey(ReadOnlySpan<byte> hex, out UInt128 key)
    {
        key = 0;
        foreach (var digit in hex)
        {
            var value = digit is >= (byte)'0' and <= (byte)'9' ? digit - '0' : digit is >= (byte)'a' and <= (byte)'f' ? digit - 'a' + 10 : -1;
            if (value < 0)
                return false;
            key = (key << 4) | (uint)value;
        }
        return true;
    }

    // The line without its break; Index only keeps lines that have one.
    private ReadOnlySpan<byte> Line(int index)
    {
        var rest = _lines.AsSpan(_starts[index]);
        return rest[..rest.IndexOf((byte)'\n')];
    }

    /// <summary>One entry as the file holds it: key, thumbprint, validity (Unix ms), flags, subject; tab-separated.</summary>
    internal static string Line(UInt128 key, CertificateSummary f) => string.Join('\t',
        key.ToString("x32", CultureInfo.InvariantCulture),
        f.Thumbprint,
        f.NotBefore.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        f.NotAfter.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        Flags(f),
        f.Subject);

    // A subject with a line break or tab could not be read back as one line; such a certificate is just parsed each run.
    private static bool Writable(CertificateSummary facts) => facts.Subject.IndexOfAny(new[] { '\n', '\r', '\t' }) < 0;

    private static string Flags(CertificateSummary f) =>
        (f.HasOcspUrl ? "o" : "") + (f.MustStaple ? "m" : "") + (f.IsAuthority ? "a" : "") + (f.IsSelfSigned ? "s" : "") + (f.HasChain ? "c" : "") + "-";

    // The file's bytes are kept as they are, with the start of each line sorted by its key: a line is parsed only
    // when its file is found (one that does not parse then counts as not remembered, and is not written back).
    private void Index(byte[] file)
    {
        var header = Encoding.UTF8.GetBytes(Header + "\n");
        if (!file.AsSpan().StartsWith(header))
            return; // another version's or not ours: start over
        var keys = new List<UInt128>();
        var starts = new List<int>();
        // Each step moves to the byte after the next line break, so the loop always advances.
        for (var at = header.Length; at < file.Length && keys.Count < MaxEntries;)
        {
            var length = file.AsSpan(at).IndexOf((byte)'\n');
            if (length < 0)
                break; // a last line cut short (a full disk) is not an entry
            if (length > 32 && TryParseKey(file.AsSpan(at, 32), out var key))
            {
                keys.Add(key);
                starts.Add(at);
            }
            at += length + 1;
        }
        _lines = file;
        _keys = keys.ToArray();
        _starts = starts.ToArray();
        Array.Sort(_keys, _starts);
        _used = new bool[_keys.Length];
    }

    internal static bool TryParse(string line, out UInt128 key, out CertificateSummary facts)
    {
        key = default;
        facts = null!;
        var fields = line.Split('\t', 6);
        if (fields.Length != 6
            || fields[0].Length != 32 || !UInt128.TryParse(fields[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out key)
            || fields[1].Length != 64 || !fields[1].All(char.IsAsciiHexDigitLower)
            || !TryParseTime(fields[2], out var notBefore) || !TryParseTime(fields[3], out var notAfter)
            || !fields[4].EndsWith('-') || fields[4].TrimEnd('-').Any(c => !"omasc".Contains(c)))
            return false;
        var flags = fields[4];
        facts = new CertificateSummary(fields[1], fields[5], notBefore, notAfter,
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
