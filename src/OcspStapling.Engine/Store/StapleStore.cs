using System.Security.Cryptography;
using System.Text.Json;
using OcspStapling.Engine.Export;
using OcspStapling.Engine.Files;
using OcspStapling.Engine.Protocol;

namespace OcspStapling.Engine.Store;

/// <summary>
/// A directory of staples shared by every process that uses it: per certificate (SHA-256 thumbprint) a DER staple,
/// a JSON sidecar and a lock file. Writes are atomic (temp, fsync, rename) and made under the entry's lock, so
/// concurrent refreshers never interleave and readers never see half an entry.
/// </summary>
public sealed class StapleStore : IStapleStore
{
    public StapleStore(string directory)
    {
        Directory = Path.GetFullPath(directory);
        try
        {
            SafeDirectory.Prepare(Directory);
        }
        catch (FileRefusedException e)
        {
            throw new StaplingException(FailureReason.InvalidArgument, directory, $"Cannot use '{directory}' as the staple store: {e.Message}.", e);
        }
        StaleTemporaries.Clean(Directory);
    }

    private StapleStore(string directory, bool forReading) => Directory = Path.GetFullPath(directory);

    /// <summary>
    /// The store as it is, for looking only (status, Get-OcspStaple): nothing is created, cleaned or locked, and a
    /// store that does not exist yet reads as empty.
    /// </summary>
    public static StapleStore ForReading(string directory) => new(directory, forReading: true);

    public string Directory { get; }

    /// <summary>
    /// Where staples live unless told otherwise: for a user, $XDG_DATA_HOME or ~/.local/share (Linux) and
    /// %LOCALAPPDATA% (Windows), under OcspStapling/staples; for services, /var/lib/ocspstaple (Linux) and
    /// %ProgramData%\OcspStapling\staples (Windows). OCSPSTAPLE_STORE overrides both (it may also name Redis:
    /// <see cref="StapleStores.DefaultLocation"/> is what callers use).
    /// </summary>
    public static string DefaultDirectory(bool forService = false)
    {
        if (Environment.GetEnvironmentVariable("OCSPSTAPLE_STORE") is { Length: > 0 } overridden)
            return overridden;
        if (OperatingSystem.IsWindows())
        {
            var root = Environment.GetFolderPath(forService ? Environment.SpecialFolder.CommonApplicationData : Environment.SpecialFolder.LocalApplicationData);
            return Path.Combine(root, "OcspStapling", "staples");
        }
        if (forService)
            return "/var/lib/ocspstaple";
        var data = Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(data, "OcspStapling", "staples");
    }

    /// <summary>
    /// Where this host remembers what its certificate files hold (<see cref="Sites.CertificateFactsCache"/>), beside
    /// the staples it describes; not an entry (entries are named by thumbprint).
    /// </summary>
    public string CertificateCachePath => Path.Combine(Directory, "certificates.cache");

    public string Location => Directory;

    public bool Exists => System.IO.Directory.Exists(Directory);

    public string StaplePath(string thumbprint) => Path.Combine(Directory, Key(thumbprint) + ".der");

    public string MetadataPath(string thumbprint) => Path.Combine(Directory, Key(thumbprint) + ".json");

    /// <summary>Reads an entry; null when the store has nothing for this certificate.</summary>
    public StoreEntry? Read(string thumbprint) =>
        StoreEntry.FromStored(Key(thumbprint), ReadBytes(StaplePath(thumbprint), OcspResponseDecoder.MaxInputBytes), ReadBytes(MetadataPath(thumbprint), MaxMetadataBytes));

    /// <summary>Takes the entry's lock, waiting for another refresher to finish with it.</summary>
    public async Task<IDisposable> LockAsync(string thumbprint, TimeSpan timeout, CancellationToken cancel)
    {
        var path = Path.Combine(Directory, Key(thumbprint) + ".lock");
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            IDisposable? held;
            try
            {
                held = TryLock(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not "locked by another" but unusable (read-only, not ours, not a file): waiting would not help.
                throw new StaplingException(FailureReason.InvalidArgument, path, $"Cannot lock the store entry '{path}': {e.Message}. Is the store writable by this user?", e);
            }
            if (held != null)
                return held;
            if (DateTime.UtcNow >= deadline)
                throw new StaplingException(FailureReason.StoreLocked, path, $"The store entry '{path}' stayed locked for {timeout.TotalSeconds:0} s; is another refresher stuck?");
            await Task.Delay(25, cancel).ConfigureAwait(false);
        }
    }

    // An exclusive advisory lock (flock), released when the handle closes, also when the process dies. The lock file
    // is opened without following links, so a link planted in a shared store cannot make root create files elsewhere.
    private static IDisposable? TryLock(string path)
    {
        if (!PosixFiles.Supported)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException && e.HResult != unchecked((int)0x80070005))
            {
                return null; // a sharing violation: another holder
            }
        }
        var handle = PosixFiles.Open(path, PosixFiles.ReadWrite | PosixFiles.Create | PosixFiles.NoFollow, (uint)AtomicFile.StapleFileMode);
        try
        {
            if (!PosixFiles.Stat(handle).IsRegular)
                throw new FileRefusedException("it is not a regular file");
            if (PosixFiles.TryLock(handle))
                return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
        handle.Dispose();
        return null;
    }

    /// <summary>
    /// Replaces the staple (when given, with its parsed <paramref name="response"/>) and then the metadata, each
    /// atomically, and returns the entry as now stored. Call under the entry's lock; <paramref name="previous"/> is the
    /// entry read under it, whose staple stays when none is given.
    /// </summary>
    public StoreEntry Save(string thumbprint, StoreEntry? previous, byte[]? staple, OcspResponse? response, StapleMetadata metadata)
    {
        try
        {
            if (staple != null)
            {
                AtomicFile.Write(StaplePath(thumbprint), staple);
                metadata = metadata with { StapleSha256 = Sha256(staple) };
            }
            else if (previous?.Staple is { } kept)
            {
                metadata = metadata with { StapleSha256 = Sha256(kept) };
            }
            // The sidecar is advice checked against the staple's hash (a damaged one reads as absent), so it is
            // exchanged in place of being renamed over and skips the fsync the staple gets.
            AtomicFile.WriteViaSpare(MetadataPath(thumbprint), StoreEntry.EncodeMetadata(metadata));
            return staple != null
                ? new StoreEntry(Key(thumbprint), staple, response, metadata)
                : previous?.WithMetadata(metadata) ?? new StoreEntry(Key(thumbprint), null, (OcspResponse?)null, metadata);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StaplingException(FailureReason.InvalidArgument, Directory, $"Cannot write to the staple store '{Directory}': {e.Message}.", e);
        }
    }

    /// <summary>The thumbprints the store has an entry for (a staple, a sidecar, or both), sorted.</summary>
    public IReadOnlyList<string> Thumbprints() => EnumerateThumbprints().Order(StringComparer.Ordinal).ToList();

    /// <summary>Nothing to release: each lock is a file handle of its own.</summary>
    public void Dispose()
    {
    }

    /// <summary>
    /// The thumbprints the store has an entry for, in no order, as the directory is read: a scan of 100,000 entries
    /// holds a set of 128-bit keys, not 300,000 file names.
    /// </summary>
    public IEnumerable<string> EnumerateThumbprints()
    {
        var seen = new HashSet<UInt128>();
        foreach (var thumbprint in EntryNames())
        {
            if (seen.Add(Certificates.ThumbprintKey.Of(thumbprint)))
                yield return thumbprint;
        }
    }

    private IEnumerable<string> EntryNames()
    {
        try
        {
            if (!System.IO.Directory.Exists(Directory))
                return Array.Empty<string>();
            // Only names of entries are made into strings: lock files and others are passed over in the listing.
            return new System.IO.Enumeration.FileSystemEnumerable<string>(Directory, (ref System.IO.Enumeration.FileSystemEntry e) => e.FileName[..64].ToString())
            {
                ShouldIncludePredicate = (ref System.IO.Enumeration.FileSystemEntry e) => !e.IsDirectory && IsEntryFileName(e.FileName),
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StaplingException(FailureReason.InvalidArgument, Directory, $"Cannot list the staple store '{Directory}': {e.Message}.", e);
        }
    }

    // "<thumbprint>.der" or "<thumbprint>.json", the thumbprint in lower-case hex
    private static bool IsEntryFileName(ReadOnlySpan<char> name) =>
        (name is { Length: 68 } && name.EndsWith(".der") || name is { Length: 69 } && name.EndsWith(".json"))
        && Certificates.ThumbprintKey.IsStoreName(name[..64]);

    /// <summary>Removes an entry (staple and sidecar). Call under the entry's lock; the lock file stays, as other processes may be waiting on it.</summary>
    public void Delete(string thumbprint)
    {
        try
        {
            File.Delete(StaplePath(thumbprint));
            File.Delete(MetadataPath(thumbprint));
            File.Delete(Path.Combine(Directory, $".{Key(thumbprint)}.json.spare"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StaplingException(FailureReason.InvalidArgument, Directory, $"Cannot remove an entry from the staple store '{Directory}': {e.Message}.", e);
        }
    }

    // Store files are this tool's own: a link, a special file or an oversized one in their place reads as damaged
    // (absent), and the next save replaces it or says why it cannot.
    private static byte[]? ReadBytes(string path, int maxBytes)
    {
        try
        {
            return RegularFile.TryRead(path, maxBytes, followLinks: false);
        }
        catch (FileRefusedException)
        {
            return null;
        }
    }

    internal const int MaxMetadataBytes = 64 * 1024;

    internal static string Sha256(byte[] data) => Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant();

    private static string Key(string thumbprint) => thumbprint.ToLowerInvariant();
}
