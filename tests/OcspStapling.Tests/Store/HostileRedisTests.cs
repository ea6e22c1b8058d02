using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Store;

/// <summary>
/// Issue 23 item 4: no reply from a Redis server can crash `ocspstaple` or grow it past a fixed budget. Each hostile
/// reply ends in one clear store error (exit 3: no site's state can be known), no stack overflow (exit 134), and a
/// peak resident size far below what the reply asks for.
/// </summary>
public sealed class HostileRedisTests : IClassFixture<LabResponderFixture>
{
    private static readonly string Program = Path.Combine(AppContext.BaseDirectory, "ocspstaple");

    /// <summary>A .NET process doing this work peaks near 100 MiB; the unbounded client reached 1 GB to 12 GB.</summary>
    private const long MaxPeakKib = 300 * 1024;

    private readonly LabResponderFixture _lab;

    public HostileRedisTests(LabResponderFixture lab) => _lab = lab;

    [Fact]
    public Task Eight_thousand_nested_arrays_are_a_store_error_not_a_stack_overflow() =>
        RefusedAsync(HostileRedisServer.NestedArrays(8_000), "the server sent arrays nested more than 8 deep");

    [Fact]
    public Task A_never_ending_array_is_refused_by_its_announced_length() =>
        RefusedAsync(HostileRedisServer.NeverEndingArray(), "the server sent an array of 2147483647 elements, over the 100000-element limit");

    [Fact]
    public Task A_400_MB_value_is_refused_before_it_is_read() =>
        RefusedAsync(HostileRedisServer.HugeValue(), "the server sent a value of 400000000 bytes, over the 2 MiB limit");

    private async Task RefusedAsync(HostileRedisServer server, string reason)
    {
        await using var _ = server;
        var certs = _lab.SiteDirectory("hostile-redis-" + Guid.NewGuid().ToString("N")[..6], 1);

        var run = await ProcessRunner.RunAsync("/usr/bin/time", new[] { "-f", "peak-rss-kib %M", Program, "status", certs, "--store", server.Url }, timeout: TimeSpan.FromSeconds(60));

        var lines = run.StdErr.Trim().Split('\n');
        var peak = long.Parse(lines[^1].Split(' ')[1]);
        var errors = lines[..^1].Where(l => !l.StartsWith("Command exited with", StringComparison.Ordinal)).ToArray(); // time's own line
        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.True(errors.Length == 1, run.ToString());
        Assert.True(errors[0].StartsWith($"ocspstaple: The Redis store {server.Url} is unavailable ({reason})", StringComparison.Ordinal), errors[0]);
        Assert.True(peak < MaxPeakKib, $"peak resident {peak} KiB");
    }
}
