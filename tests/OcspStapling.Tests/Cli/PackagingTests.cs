using OcspStapling.Cli;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Cli;

/// <summary>
/// `ocspstaple` installed as the README says: the native (ahead-of-time compiled) file copied alone into a bin
/// directory and run with cron's bare environment, and the .NET tool package installed with `dotnet tool install`.
/// </summary>
[Collection(PublishingCollection.Name)]
public sealed class PackagingTests : IClassFixture<LabResponderFixture>
{
    private static readonly string CliProject = Path.Combine(RepoRoot.Path, "src", "OcspStapling.Cli", "OcspStapling.Cli.csproj");

    private readonly LabResponderFixture _lab;
    private readonly SiteLayouts _layouts;

    public PackagingTests(LabResponderFixture lab)
    {
        _lab = lab;
        _layouts = new SiteLayouts(lab);
    }

    [Fact]
    public async Task The_native_binary_copied_alone_runs_update_under_crons_environment_and_its_demo_end_to_end()
    {
        using var dir = new TempDirectory();
        var published = await DotnetAsync("publish", CliProject, "-p:PublishProfile=linux-x64", "-o", dir.File("publish"), "--nologo");
        Assert.True(published.ExitCode == 0, published.All);
        Assert.Equal(new[] { "ocspstaple" }, Directory.GetFiles(dir.File("publish")).Select(Path.GetFileName));
        var binary = Path.Combine(Directory.CreateDirectory(dir.File("usr/local/bin")).FullName, "ocspstaple");
        File.Copy(dir.File("publish/ocspstaple"), binary); // keeps its mode (executable)
        var le = dir.File("letsencrypt");
        _layouts.Certbot(le, "cron");

        // cron's environment: PATH=/usr/bin:/bin, a HOME, nothing that points at a .NET installation.
        var run = await ProcessRunner.RunAsync(binary, new[] { "update", Path.Combine(le, "live"), "--store", dir.File("store"), "--export-dir", dir.File("ocsp"), "--quiet" },
            environment: new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin", ["HOME"] = dir.Path, ["SHELL"] = "/bin/sh" });

        Assert.True(run.ExitCode == ExitCodes.Good, run.All);
        Assert.Equal("", run.All);
        Assert.True(File.Exists(Path.Combine(dir.File("ocsp"), "cron.ocsp")));

        // Compiled ahead of time, code the trimmer dropped fails only when reached: the demo reaches fetching,
        // verifying (BouncyCastle), exporting, the TLS listener and the probe.
        var demo = await ProcessRunner.RunAsync(binary, new[] { "demo" },
            environment: new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin", ["HOME"] = dir.Path }, timeout: TimeSpan.FromMinutes(2));
        Assert.True(demo.ExitCode == ExitCodes.Good, demo.All);
        Assert.Contains("Demo complete", demo.StdOut);
    }

    [Fact]
    public async Task The_dotnet_tool_package_installs_with_dotnet_tool_install_and_fetches()
    {
        using var dir = new TempDirectory();
        var packed = await DotnetAsync("pack", CliProject, "-c", "Release", "-o", dir.File("packages"), "--nologo");
        Assert.True(packed.ExitCode == 0, packed.All);
        var package = Assert.Single(Directory.GetFiles(dir.File("packages"), "ocspstaple.*.nupkg"));
        // Only the package just built: no other feed is asked (and no network is needed).
        File.WriteAllText(dir.File("nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration><packageSources><clear /><add key="built" value="{dir.File("packages")}" /></packageSources></configuration>
            """);

        var installed = await DotnetAsync("tool", "install", "ocspstaple", "--tool-path", dir.File("tools"), "--configfile", dir.File("nuget.config"));
        var cert = _lab.GoodLeaf("tool.example.test");
        var get = await ProcessRunner.RunAsync(Path.Combine(dir.File("tools"), "ocspstaple"), new[] { "get", cert });

        Assert.True(installed.ExitCode == 0, installed.All + package);
        Assert.True(get.ExitCode == ExitCodes.Good, get.All);
        Assert.Contains("good", get.StdOut);
    }

    private static Task<ProcessOutput> DotnetAsync(params string[] args) =>
        ProcessRunner.RunAsync("dotnet", args, timeout: TimeSpan.FromMinutes(5));
}
