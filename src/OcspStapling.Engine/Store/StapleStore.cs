using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using OcspStapling.Engine.Export;
using OcspStapling.Engine.Protocol;

namespace OcspStapling.Engine.Store;

/// <summary>
/// A directory of staples shared by every process that uses it: per certificate (SHA-256 thumbprint) a DER staple,
/// a JSON sidecar and a lock file. Writes are atomic (temp, fsync, rename) and made under the entry's lock, so
/// concurrent refreshers never interleave and readers never see half an entry.
/// </summary>
public sealed class StapleStore
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public StapleStore(string directory)
    {
        Directory = Path.GetFullPath(directory);
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StaplingException(FailureReason.InvalidArgument, directory, $"Cannot use '{directory}' as the staple store: {e.Message}. Give a writable directory with --store/-StorePath.", e);
        }
    }

    public string Directory { get; }

    /// <summary>
    /// Where staples live unless told otherwise: for a user, $XDG_DATA_HOME or ~/.local/share (Linux) and
    /// %LOCALAPPDATA% (Windows), under OcspStapling/staples; for services, /var/lib/ocspstaple (Linux) and
    /// %ProgramData%\OcspStapling\staples (Windows). OCSPSTAPLE_STORE overrides both.
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

    public string StaplePath(string thumbprint) => Path.Combine(Directory, Key(thumbprint) + ".der");

    public string MetadataPath(string thumbprint) => Path.Combine(Directory, Key(thumbprint) + ".json");

    /// <summary>Reads an entry; null when the store has nothing for this certificate.</summary>
    public StoreEntry? Read(string thumbprint)
    {
        var staple = ReadBytes(StaplePath(thumbprint));
        var metadata = ReadMetadata(thumbprint);
        if (staple == null && metadata == null)
            return null;
        OcspResponse? response = null;
        if (staple != null)
        {
            try
            {
                response = OcspResponseDecoder.Decode(staple);
            }
            catch (OcspFormatException)
            {
                // A damaged staple is as good as none; the next refresh replaces it.
                staple = null;
            }
        }
        if (metadata?.StapleSha256 != null && (staple == null || metadata.StapleSha256 != Sha256(staple)))
            metadata = metadata with { NextRefresh = null }; // describes another staple: keep the history, not the schedule
        return new StoreEntry(Key(thumbprint), staple, response, metadata);
    }

    /// <summary>Takes the entry's lock, waiting for another refresher to finish with it.</summary>
    public async Task<IDisposable> LockAsync(string thumbprint, TimeSpan timeout, CancellationToken cancel)
    {
        var path = Path.Combine(Directory, Key(thumbprint) + ".lock");
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive advisory lock (flock on Unix), released when the handle closes,
                // also when the process dies.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(25, cancel).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new StaplingException(FailureReason.InvalidArgument, path, $"The store entry '{path}' stayed locked for {timeout.TotalSeconds:0} s; is another refresher stuck?", e);
            }
        }
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
            AtomicFile.WriteViaSpare(MetadataPath(thumbprint), JsonSerializer.SerializeToUtf8Bytes(metadata, Json));
            return staple != null
                ? new StoreEntry(Key(thumbprint), staple, response, metadata)
                : new StoreEntry(Key(thumbprint), previous?.Staple, previous?.Response, metadata);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StaplingException(FailureReason.InvalidArgument, Directory, $"Cannot write to the staple store '{Directory}': {e.Message}.", e);
        }
    }

    private StapleMetadata? ReadMetadata(string thumbprint)
    {
        var bytes = ReadBytes(MetadataPath(thumbprint));
        if (bytes == null)
            return null;
        try
        {
            return JsonSerializer.Deserialize<StapleMetadata>(bytes, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static byte[]? ReadBytes(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    internal static string Sha256(byte[] data) => Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant();

    private static string Key(string thumbprint) => thumbprint.ToLowerInvariant();
}
