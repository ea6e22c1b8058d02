using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Cli;

/// <summary>The README's first command works on a machine with no network but loopback.</summary>
public sealed class DemoTests
{
    [Fact]
    public async Task Demo_runs_every_step_to_the_end_and_exits_0()
    {
        var demo = await ProcessRunner.RunAsync(Path.Combine(AppContext.BaseDirectory, "ocspstaple"), new[] { "demo" }, timeout: TimeSpan.FromMinutes(2));

        Assert.True(demo.ExitCode == 0, demo.All);
        foreach (var step in new[] { "1. ", "2. ", "3. ", "4. ", "5. ", "6. ", "7. " })
            Assert.Contains(step, demo.StdOut);
        Assert.Contains("stapled, good, verified", demo.StdOut);
        Assert.Contains("Demo complete", demo.StdOut);
        Assert.Equal("", demo.StdErr);
    }
}
