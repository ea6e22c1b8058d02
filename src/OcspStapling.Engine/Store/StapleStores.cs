namespace OcspStapling.Engine.Store;

/// <summary>Opens the store a location names: redis:// or rediss:// a Redis (fleet) store, anything else a directory.</summary>
public static class StapleStores
{
    /// <summary>
    /// Where staples live unless told otherwise: OCSPSTAPLE_STORE (a directory or a Redis URL) when set, else the
    /// directory for this user or for services (<see cref="StapleStore.DefaultDirectory"/>).
    /// </summary>
    public static string DefaultLocation(bool forService = false) => StapleStore.DefaultDirectory(forService);

    public static bool IsRedis(string location) =>
        location.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) || location.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase);

    /// <summary>The store, ready for use (a directory is created; Redis is connected): a clear error naming it otherwise.</summary>
    public static IStapleStore Open(string location) => IsRedis(location) ? RedisStapleStore.Connect(location) : new StapleStore(location);

    /// <summary>For reading only (status): a directory is not created.</summary>
    public static IStapleStore OpenForReading(string location) => IsRedis(location) ? RedisStapleStore.Connect(location) : StapleStore.ForReading(location);
}
