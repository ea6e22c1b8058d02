using OcspStapling.Engine.Protocol;
using StackExchange.Redis;

namespace OcspStapling.Engine.Store;

/// <summary>
/// The fleet's store: one Redis shared by many hosts. Each entry is one hash (fields "staple" and "meta") written
/// by one HSET, so readers get a whole entry or the previous one; each lock is a key set only if absent, with an
/// expiry (a lease, renewed while held, so a fetch may take as long as its timeouts allow) and a random owner token,
/// released only by its owner (compare-and-delete), so a host that dies holding one delays that certificate by at
/// most <see cref="LockExpiry"/>. Commands fail at once while Redis is away (no
/// queueing): each site's failure is then named, and the next run recovers.
/// </summary>
public sealed class RedisStapleStore : IStapleStore
{
    /// <summary>Where the password comes from when the URL has none (never required on a command line).</summary>
    public const string PasswordVariable = RedisLocation.PasswordVariable;

    /// <summary>How long a lock outlives a holder that died; a live holder renews it every third of that.</summary>
    public static readonly TimeSpan LockExpiry = TimeSpan.FromSeconds(60);

    private static readonly RedisValue StapleField = "staple";
    private static readonly RedisValue MetaField = "meta";
    private static readonly RedisValue[] EntryFields = { StapleField, MetaField };
    private readonly ConnectionMultiplexer _redis;
    private readonly RedisLocation _where;
    private readonly TimeSpan _lease;

    private RedisStapleStore(ConnectionMultiplexer redis, RedisLocation where, TimeSpan lease)
    {
        _redis = redis;
        _where = where;
        _lease = lease;
    }

    public string Location => _where.Display;

    public bool Exists => true;

    /// <summary>Certificate facts describe this host's files; with a shared store they are not remembered.</summary>
    public string? CertificateCachePath => null;

    private IDatabase Database => _redis.GetDatabase(_where.Database);

    /// <summary>
    /// Connects to the Redis the URL names (redis:// or rediss:// for TLS). An unreachable Redis is not an error
    /// here: each use then fails with one clear message, and the connection is retried in the background.
    /// </summary>
    public static RedisStapleStore Connect(string url) => Connect(url, LockExpiry);

    /// <summary>With a shorter lease, for tests that hold a lock longer than it.</summary>
    internal static RedisStapleStore Connect(string url, TimeSpan lockLease)
    {
        var where = RedisLocation.Parse(url);
        try
        {
            return new RedisStapleStore(ConnectionMultiplexer.Connect(where.Options()), where, lockLease);
        }
        catch (Exception e) when (e is RedisException or ArgumentException)
        {
            throw new StaplingException(FailureReason.InvalidArgument, where.Display, $"Cannot use the Redis store {where.Display}: {e.Message}.", e);
        }
    }

    public StoreEntry? Read(string thumbprint)
    {
        var fields = Guarded(() => Database.HashGet(EntryKey(thumbprint), EntryFields));
        return StoreEntry.FromStored(Key(thumbprint), Bytes(fields[0], OcspResponseDecoder.MaxInputBytes), Bytes(fields[1], StapleStore.MaxMetadataBytes));
    }

    public async Task<IDisposable> LockAsync(string thumbprint, TimeSpan timeout, CancellationToken cancel)
    {
        var key = (RedisKey)(_where.Prefix + Key(thumbprint) + ".lock");
        var token = (RedisValue)Guid.NewGuid().ToString("N");
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await GuardedAsync(() => Database.LockTakeAsync(key, token, _lease)).ConfigureAwait(false))
                return new HeldLock(this, key, token);
            if (DateTime.UtcNow >= deadline)
                throw new StaplingException(FailureReason.StoreLocked, _where.Display, $"The entry {key} in the Redis store {_where.Display} stayed locked for {timeout.TotalSeconds:0} s; is another refresher stuck? A lock left by a host that died expires within {_lease.TotalSeconds:0} s.");
            await Task.Delay(50, cancel).ConfigureAwait(false);
        }
    }

    public StoreEntry Save(string thumbprint, StoreEntry? previous, byte[]? staple, OcspResponse? response, StapleMetadata metadata)
    {
        var kept = staple ?? previous?.Staple;
        metadata = metadata with { StapleSha256 = kept != null ? StapleStore.Sha256(kept) : null };
        var meta = StoreEntry.EncodeMetadata(metadata);
        // One HSET: the staple and the metadata that vouches for it land together, or neither does.
        var fields = staple != null
            ? new[] { new HashEntry(StapleField, staple), new HashEntry(MetaField, meta) }
            : new[] { new HashEntry(MetaField, meta) };
        Guarded(() =>
        {
            Database.HashSet(EntryKey(thumbprint), fields);
            return true;
        });
        return staple != null
            ? new StoreEntry(Key(thumbprint), staple, response, metadata)
            : previous?.WithMetadata(metadata) ?? new StoreEntry(Key(thumbprint), null, (OcspResponse?)null, metadata);
    }

    public IEnumerable<string> EnumerateThumbprints()
    {
        // The prefix is matched literally: SCAN's glob characters in it are escaped.
        var pattern = System.Text.RegularExpressions.Regex.Replace(_where.Prefix, @"[*?\[\]\\]", @"\$0") + "*";
        foreach (var endpoint in _redis.GetEndPoints())
        {
            var server = _redis.GetServer(endpoint);
            if (server.IsReplica)
                continue;
            // SCAN, a page at a time: a listing of 100,000 entries never blocks Redis or holds every key at once.
            using var keys = Guarded(() => server.Keys(_where.Database, pattern, pageSize: 1000).GetEnumerator());
            while (Guarded(keys.MoveNext))
            {
                var name = ((string?)keys.Current)?[_where.Prefix.Length..];
                if (name != null && Certificates.ThumbprintKey.IsStoreName(name))
                    yield return name;
            }
        }
    }

    public void Delete(string thumbprint) => Guarded(() => Database.KeyDelete(EntryKey(thumbprint)));

    public void Dispose() => _redis.Dispose();

    private RedisKey EntryKey(string thumbprint) => _where.Prefix + Key(thumbprint);

    private static string Key(string thumbprint) => thumbprint.ToLowerInvariant();

    // A value larger than any staple or sidecar this tool writes is not ours: read as absent, as the directory store does.
    private static byte[]? Bytes(RedisValue value, int maxBytes) =>
        value.IsNull ? null : (byte[]?)value is { } bytes && bytes.Length <= maxBytes ? bytes : null;

    private T Guarded<T>(Func<T> command)
    {
        try
        {
            return command();
        }
        catch (Exception e) when (RedisFailure(e) is { } failure)
        {
            throw Unavailable(failure);
        }
    }

    private async Task<T> GuardedAsync<T>(Func<Task<T>> command)
    {
        try
        {
            return await command().ConfigureAwait(false);
        }
        catch (Exception e) when (RedisFailure(e) is { } failure)
        {
            throw Unavailable(failure);
        }
    }

    // The client's own failure, also when a listing (SCAN) wraps it in an AggregateException.
    private static Exception? RedisFailure(Exception e) => e switch
    {
        RedisException or TimeoutException => e,
        AggregateException aggregate => aggregate.InnerExceptions.Select(RedisFailure).FirstOrDefault(f => f != null),
        _ => null,
    };

    private StaplingException Unavailable(Exception e) =>
        new(FailureReason.StoreUnavailable, _where.Display, $"The Redis store {_where.Display} is unavailable ({_where.Tunnel.LastRefusal ?? Brief(e)}). Staples already exported are untouched; the next run retries.", e);

    /// <summary>
    /// The cause in a few words: the client's messages carry its whole connection state after the first comma
    /// ("UnableToConnect on 127.0.0.1:6379/Interactive, Initializing/NotStarted, last: NONE, …").
    /// </summary>
    private static string Brief(Exception e)
    {
        var root = e;
        while (root.InnerException is RedisException inner)
            root = inner;
        var text = root.Message;
        var cut = text.IndexOfAny(new[] { ',', ';', '\n' });
        return (cut > 0 ? text[..cut] : text).TrimEnd('.', ' ', '\r');
    }

    /// <summary>
    /// Renewed every third of its lease while held (the holder may wait on a slow responder for minutes), released by
    /// its owner only; a lock that expired (Redis away too long) and was taken by another host is left alone.
    /// </summary>
    private sealed class HeldLock : IDisposable
    {
        private readonly RedisStapleStore _store;
        private readonly RedisKey _key;
        private readonly RedisValue _token;
        private readonly Timer _renewal;
        private int _released;

        public HeldLock(RedisStapleStore store, RedisKey key, RedisValue token)
        {
            _store = store;
            _key = key;
            _token = token;
            var every = store._lease / 3;
            _renewal = new Timer(_ => _ = RenewAsync(), null, every, every);
        }

        // Asynchronous, so a busy thread pool (a run fetching hundreds of sites) does not hold a renewal up on I/O.
        private async Task RenewAsync()
        {
            try
            {
                await _store.Database.LockExtendAsync(_key, _token, _store._lease).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
            {
                // Redis away: the next tick tries again; if the lease runs out meanwhile, another host may fetch too.
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 1)
                return;
            _renewal.Dispose();
            try
            {
                _store.Database.LockRelease(_key, _token);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // Redis went away: the lock expires by itself.
            }
        }
    }
}
