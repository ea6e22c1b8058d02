using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OcspStapling.Engine.Export;

namespace OcspStapling.Engine.Delivery;

/// <summary>
/// What one sink of this host last delivered, kept on this host and never in the store: hosts sharing a store (a
/// directory or Redis) each deliver to their own servers, whoever fetched. One small JSON file per sink, named by what
/// the sink is (its socket, its command and the files it covers), so two sinks on one machine keep apart.
/// </summary>
internal sealed class DeliveryState
{
    private readonly string _path;

    private DeliveryState(string path) => _path = path;

    /// <summary>
    /// $XDG_STATE_HOME (else ~/.local/state)/ocspstaple on Linux, %LOCALAPPDATA%\OcspStapling\state on Windows:
    /// host-local by definition, unlike a store directory, which may be shared.
    /// </summary>
    public static string DefaultDirectory()
    {
        if (OperatingSystem.IsWindows())
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "OcspStapling", "state");
        var state = Environment.GetEnvironmentVariable("XDG_STATE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        return Path.Combine(state, "ocspstaple");
    }

    public static DeliveryState For(string directory, string kind, string identity)
    {
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..16].ToLowerInvariant();
        return new DeliveryState(Path.Combine(directory, $"{kind}-{key}.json"));
    }

    public T Load<T>(Func<T> empty)
    {
        try
        {
            return File.Exists(_path) ? JsonSerializer.Deserialize<T>(File.ReadAllBytes(_path)) ?? empty() : empty();
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return empty(); // a damaged state file costs one extra delivery, never a missed one
        }
    }

    /// <summary>Saves the state; a problem is returned (the sink delivers again next run), never thrown.</summary>
    public string? Save<T>(T value)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            AtomicFile.Write(_path, JsonSerializer.SerializeToUtf8Bytes(value), durable: true);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or StaplingException)
        {
            return $"Cannot record what was delivered in '{_path}': {e.Message}";
        }
    }

    public static string Digest(byte[] staple) => Convert.ToHexString(SHA256.HashData(staple)).ToLowerInvariant();
}
