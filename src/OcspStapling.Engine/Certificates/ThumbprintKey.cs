using System.Globalization;

namespace OcspStapling.Engine.Certificates;

/// <summary>
/// A certificate named by the first 128 bits of its thumbprint (lower-case hex SHA-256): sets of the certificates
/// a run has seen (100,000 of them) hold these instead of 64-character strings.
/// </summary>
public static class ThumbprintKey
{
    /// <summary>A store entry's name: a SHA-256 thumbprint in lower-case hex (anything else in a store is not an entry).</summary>
    public static bool IsStoreName(ReadOnlySpan<char> name) => name.Length == 64 && !name.ContainsAnyExcept("0123456789abcdef");

    public static UInt128 Of(string thumbprint) =>
        UInt128.Parse(thumbprint.AsSpan(0, 32), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
}
