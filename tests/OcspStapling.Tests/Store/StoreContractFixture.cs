using System.Reflection;
using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Lab;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Store;
using OcspStapling.Tests.Support;
using Xunit.Sdk;

namespace OcspStapling.Tests.Store;

/// <summary>Two real staples from the lab responder, and the stores under test: a fresh directory, or a fresh prefix in one redis-server.</summary>
public sealed class StoreContractFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _starting = new(1, 1);
    private RedisServer? _redis;

    public LabPki Pki { get; } = LabPki.Create();

    public TempDirectory Directory { get; } = new();

    public byte[] StapleA { get; private set; } = null!;

    public byte[] StapleB { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await using var responder = new LabResponder(Pki);
        using var fetcher = new StapleFetcher();
        async Task<byte[]> Staple(string name)
        {
            using var leaf = Pki.IssueLeaf(name, new[] { responder.Url.ToString() });
            responder.Add(leaf);
            var bundle = new CertificateBundle(leaf, new[] { Pki.Issuer }, null);
            return (await fetcher.FetchAsync(bundle, FetchOptions.Default)).Response.RawData;
        }
        StapleA = await Staple("contract-a.example.test");
        StapleB = await Staple("contract-b.example.test");
    }

    /// <summary>A store of the kind, empty, of its own.</summary>
    public async Task<IStapleStore> OpenAsync(string kind, TimeSpan? lockLease = null) => kind switch
    {
        "directory" => new StapleStore(Path.Combine(Directory.Path, Guid.NewGuid().ToString("N"))),
        "redis" => RedisStapleStore.Connect($"{(await RedisAsync()).Url}?prefix=contract-{Guid.NewGuid():N}:", lockLease ?? RedisStapleStore.LockExpiry),
        _ => throw new ArgumentException(kind),
    };

    /// <summary>Two handles on one new store, as two hosts sharing it would hold (a directory's locks are per open file).</summary>
    public async Task<(IStapleStore, IStapleStore)> OpenSharedAsync(string kind, TimeSpan lockLease)
    {
        var location = kind == "directory" ? Path.Combine(Directory.Path, Guid.NewGuid().ToString("N")) : $"{(await RedisAsync()).Url}?prefix=contract-{Guid.NewGuid():N}:";
        IStapleStore Open() => kind == "directory" ? new StapleStore(location) : RedisStapleStore.Connect(location, lockLease);
        return (Open(), Open());
    }

    public async Task<RedisServer> RedisAsync()
    {
        await _starting.WaitAsync();
        try
        {
            return _redis ??= await RedisServer.StartAsync();
        }
        finally
        {
            _starting.Release();
        }
    }

    public async Task DisposeAsync()
    {
        if (_redis != null)
            await _redis.DisposeAsync();
        Pki.Dispose();
        Directory.Dispose();
    }
}

/// <summary>The Redis row of a store theory: skipped with the reason where redis-server is missing, run (and failing) under CI=true.</summary>
public sealed class RedisStoreAttribute : DataAttribute
{
    public RedisStoreAttribute()
    {
        if (Support.Peers.Missing(new[] { "redis-server" }).Count > 0 && !Support.Peers.IsCi)
            Skip = "needs redis-server on PATH (apt-get install -y redis-server); CI installs it";
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => new[] { new object[] { "redis" } };
}
