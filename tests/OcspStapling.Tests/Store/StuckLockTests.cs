using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Policy;
using OcspStapling.Engine.Refresh;
using OcspStapling.Engine.Sites;
using OcspStapling.Engine.Store;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Store;

/// <summary>
/// An entry another refresher keeps locked is judged by the staple the store holds, with either store: a warning
/// while that is valid, a problem when there is none (it was a warning with Redis and a problem with a directory).
/// </summary>
public sealed class StuckLockTests : IClassFixture<StoreContractFixture>, IClassFixture<LabResponderFixture>
{
    private readonly StoreContractFixture _stores;
    private readonly LabResponderFixture _lab;

    public StuckLockTests(StoreContractFixture stores, LabResponderFixture lab)
    {
        _stores = stores;
        _lab = lab;
    }

    [Theory]
    [InlineData("directory")]
    [RedisStore]
    public async Task A_stuck_lock_is_a_warning_while_the_stored_staple_is_valid_and_a_problem_without_one(string kind)
    {
        var (store, otherHost) = await _stores.OpenSharedAsync(kind, RedisStapleStore.LockExpiry);
        using var _ = store;
        using var __ = otherHost;
        var stapled = Sites("stuck-stapled.example.test");
        var unstapled = Sites("stuck-empty.example.test");
        using (var refresher = new StapleRefresher(new RefreshOptions { Store = store }))
            Assert.Equal(SiteState.Stapled, (await refresher.RefreshAsync(stapled)).Single().State);
        using var held = await otherHost.LockAsync(stapled.Sites[0].Thumbprint, TimeSpan.FromSeconds(5), CancellationToken.None);
        using var heldToo = await otherHost.LockAsync(unstapled.Sites[0].Thumbprint, TimeSpan.FromSeconds(5), CancellationToken.None);

        using var stuck = new StapleRefresher(new RefreshOptions { Store = store, Force = true, LockWait = TimeSpan.FromMilliseconds(300) });
        var withStaple = (await stuck.RefreshAsync(stapled)).Single();
        var withoutStaple = (await stuck.RefreshAsync(unstapled)).Single();

        Assert.Equal((SiteState.RefreshFailed, Severity.Warning), (withStaple.State, withStaple.Severity));
        Assert.Contains("stayed locked", withStaple.Reason);
        Assert.Equal((SiteState.NoValidStaple, Severity.Problem), (withoutStaple.State, withoutStaple.Severity));
        Assert.Contains("stayed locked", withoutStaple.Reason);
    }

    private DiscoveredSites Sites(string name) => SiteDiscovery.FromCertificates(new[] { CertificateFile.Load(_lab.GoodLeaf(name)) });
}
