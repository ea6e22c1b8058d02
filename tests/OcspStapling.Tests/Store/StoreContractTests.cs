using OcspStapling.Engine;
using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Store;

namespace OcspStapling.Tests.Store;

/// <summary>
/// What every store promises, run against the directory store and the Redis store alike, so they cannot drift:
/// whole entries, a save without a staple keeping the stored one, listing and removal, exclusive locks with a
/// bounded wait, and readers that never take one staple's metadata for another's while a writer replaces it.
/// </summary>
public sealed class StoreContractTests : IClassFixture<StoreContractFixture>
{
    private const string T1 = "1111111111111111111111111111111111111111111111111111111111111111";
    private const string T2 = "2222222222222222222222222222222222222222222222222222222222222222";
    private readonly StoreContractFixture _fixture;

    public StoreContractTests(StoreContractFixture fixture) => _fixture = fixture;

    [Theory]
    [InlineData("directory")]
    [RedisStore]
    public async Task An_entry_reads_back_whole_and_a_save_without_a_staple_keeps_the_stored_one(string kind)
    {
        using var store = await _fixture.OpenAsync(kind);
        Assert.Null(store.Read(T1));

        var due = DateTimeOffset.UtcNow.AddHours(6);
        store.Save(T1, null, _fixture.StapleA, OcspResponseDecoder.Decode(_fixture.StapleA), Metadata(T1) with { NextRefresh = due });
        var entry = store.Read(T1)!;
        Assert.Equal(_fixture.StapleA, entry.Staple);
        Assert.Equal(CertStatus.Good, entry.Answer!.CertStatus);
        Assert.True(entry.HasValidStaple(DateTimeOffset.UtcNow));
        Assert.Equal(due.ToUnixTimeSeconds(), entry.Metadata!.NextRefresh!.Value.ToUnixTimeSeconds());

        // A failed refresh records its failure beside the staple it keeps.
        store.Save(T1, entry, null, null, entry.Metadata with { FailureCount = 2, LastError = "responder down" });
        var afterFailure = store.Read(T1)!;
        Assert.Equal(_fixture.StapleA, afterFailure.Staple);
        Assert.Equal(2, afterFailure.Metadata!.FailureCount);
        Assert.NotNull(afterFailure.Answer); // the metadata still vouches for the staple it kept
    }

    [Theory]
    [InlineData("directory")]
    [RedisStore]
    public async Task Entries_are_listed_and_removed(string kind)
    {
        using var store = await _fixture.OpenAsync(kind);
        store.Save(T1, null, _fixture.StapleA, null, Metadata(T1));
        store.Save(T2, null, null, null, Metadata(T2)); // a sidecar alone (a first fetch that failed) is an entry too

        Assert.Equal(new[] { T1, T2 }, store.Thumbprints());
        using (await store.LockAsync(T1, TimeSpan.FromSeconds(5), CancellationToken.None))
            store.Delete(T1);
        Assert.Null(store.Read(T1));
        Assert.Equal(new[] { T2 }, store.Thumbprints()); // a lock is not an entry
    }

    [Theory]
    [InlineData("directory")]
    [RedisStore]
    public async Task A_held_lock_outlives_its_lease_while_its_holder_is_busy(string kind)
    {
        var lease = TimeSpan.FromSeconds(3); // renewed every second: room for a loaded machine, still far below a fetch
        var (store, otherHost) = await _fixture.OpenSharedAsync(kind, lease);
        using var _ = store;
        using var __ = otherHost;
        using var held = await store.LockAsync(T1, TimeSpan.FromSeconds(5), CancellationToken.None);

        await Task.Delay(lease * 3); // a fetch that takes longer than the lease

        var error = await Assert.ThrowsAsync<StaplingException>(() => otherHost.LockAsync(T1, TimeSpan.FromMilliseconds(300), CancellationToken.None));
        Assert.Equal(FailureReason.StoreLocked, error.Reason);
    }

    [Theory]
    [InlineData("directory")]
    [RedisStore]
    public async Task A_lock_is_exclusive_until_released_and_a_bounded_wait_fails_naming_the_entry(string kind)
    {
        using var store = await _fixture.OpenAsync(kind);
        var held = await store.LockAsync(T1, TimeSpan.FromSeconds(5), CancellationToken.None);

        var error = await Assert.ThrowsAsync<StaplingException>(() => store.LockAsync(T1, TimeSpan.FromMilliseconds(300), CancellationToken.None));
        Assert.Contains(T1, error.Message);
        Assert.Contains("stayed locked", error.Message);
        Assert.Equal(FailureReason.StoreLocked, error.Reason); // one kind of error for one failure, whatever the store
        using (await store.LockAsync(T2, TimeSpan.FromSeconds(1), CancellationToken.None))
        {
            // Another entry's lock is free.
        }

        var waiting = store.LockAsync(T1, TimeSpan.FromSeconds(5), CancellationToken.None);
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted);
        held.Dispose();
        (await waiting).Dispose();
    }

    [Theory]
    [InlineData("directory")]
    [RedisStore]
    public async Task Readers_never_see_half_a_staple_nor_take_its_metadata_for_another_s_while_a_writer_replaces_it(string kind)
    {
        using var store = await _fixture.OpenAsync(kind);
        var due = DateTimeOffset.UtcNow.AddHours(1);
        store.Save(T1, null, _fixture.StapleA, null, Metadata(T1) with { Subject = "A", NextRefresh = due });
        var stop = DateTime.UtcNow.AddSeconds(2);
        var writer = Task.Run(() =>
        {
            for (var i = 0; DateTime.UtcNow < stop; i++)
            {
                var (staple, subject) = i % 2 == 0 ? (_fixture.StapleB, "B") : (_fixture.StapleA, "A");
                store.Save(T1, store.Read(T1), staple, null, Metadata(T1) with { Subject = subject, NextRefresh = due });
            }
        });
        var reads = 0;
        while (DateTime.UtcNow < stop)
        {
            var entry = store.Read(T1)!;
            var staple = entry.Staple!;
            Assert.True(staple.SequenceEqual(_fixture.StapleA) || staple.SequenceEqual(_fixture.StapleB), "a whole staple");
            Assert.NotNull(entry.Answer);
            // Metadata that vouches for this staple (its hash) is the metadata written with it. The directory store
            // writes the two files one after the other, so a reader may find the sidecar of the staple before: it is
            // then not taken as this staple's (its schedule is dropped); Redis writes both in one command.
            var expected = staple.SequenceEqual(_fixture.StapleA) ? "A" : "B";
            if (entry.Metadata is { } metadata && metadata.StapleSha256 == StapleStore.Sha256(staple))
                Assert.Equal(expected, metadata.Subject);
            else
                Assert.Null(entry.Metadata?.NextRefresh); // no advice, or advice about another staple: not taken
            reads++;
        }
        await writer;
        Assert.True(reads > 50, $"only {reads} reads");
    }

    private static StapleMetadata Metadata(string thumbprint) => new() { Thumbprint = thumbprint, Subject = "CN=contract" };
}
