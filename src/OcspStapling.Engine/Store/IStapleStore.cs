using OcspStapling.Engine.Protocol;

namespace OcspStapling.Engine.Store;

/// <summary>
/// Where staples are kept and shared: the directory store (<see cref="StapleStore"/>, one host) or Redis
/// (<see cref="RedisStapleStore"/>, a fleet). Both promise the same: an entry (staple and metadata) is written as one
/// unit and read whole, a save without a staple keeps the one stored, and per-entry locks let many refreshers fetch
/// each certificate once. The contract tests run against both.
/// </summary>
public interface IStapleStore : IDisposable
{
    /// <summary>Where the store is, for messages: a directory, or a Redis URL without its password.</summary>
    string Location { get; }

    /// <summary>False when the store has never been written (a mistyped directory); a reachable Redis always exists.</summary>
    bool Exists { get; }

    /// <summary>This host's cache of what its certificate files hold, when the store lives on this host; null otherwise.</summary>
    string? CertificateCachePath { get; }

    /// <summary>Reads an entry; null when the store has nothing for this certificate.</summary>
    StoreEntry? Read(string thumbprint);

    /// <summary>
    /// Takes the entry's lock, waiting up to <paramref name="timeout"/> for another holder; disposing it releases it
    /// (only if still ours: a Redis lock expires, so a holder that died delays others by at most that expiry).
    /// </summary>
    Task<IDisposable> LockAsync(string thumbprint, TimeSpan timeout, CancellationToken cancel);

    /// <summary>
    /// Replaces the entry as one unit: the staple (when given, with its parsed <paramref name="response"/>) and the
    /// metadata; without a staple, the stored one stays. Call under the entry's lock with the entry read under it.
    /// </summary>
    StoreEntry Save(string thumbprint, StoreEntry? previous, byte[]? staple, OcspResponse? response, StapleMetadata metadata);

    /// <summary>The thumbprints the store has an entry for, in no order, streamed.</summary>
    IEnumerable<string> EnumerateThumbprints();

    /// <summary>Removes an entry. Call under the entry's lock.</summary>
    void Delete(string thumbprint);

    /// <summary>The thumbprints, sorted.</summary>
    IReadOnlyList<string> Thumbprints() => EnumerateThumbprints().Order(StringComparer.Ordinal).ToList();
}
