using System.Text.RegularExpressions;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Module;

/// <summary>The module folder `dotnet publish` assembles (what build.ps1 also produces) is loadable as it stands.</summary>
public sealed class ModuleLayoutTests
{
    [Fact]
    public async Task Publish_assembles_manifest_module_and_dependencies_without_the_powershell_facade()
    {
        using var dir = new TempDirectory();
        var publish = await ProcessRunner.RunAsync("dotnet",
            new[] { "publish", Path.Combine(RepoRoot.Path, "src", "OcspStapling", "OcspStapling.csproj"), "-c", "Release", "-o", dir.Path, "--nologo" },
            timeout: TimeSpan.FromMinutes(4));
        Assert.True(publish.ExitCode == 0, publish.All);

        var files = Directory.GetFiles(dir.Path).Select(Path.GetFileName).ToList();
        Assert.Contains("OcspStapling.psd1", files);
        Assert.Contains("OcspStapling.dll", files);
        Assert.Contains("OcspStapling.Engine.dll", files);
        Assert.Contains("BouncyCastle.Crypto.dll", files);
        Assert.DoesNotContain("System.Management.Automation.dll", files);

        var manifest = File.ReadAllText(Path.Combine(dir.Path, "OcspStapling.psd1"));
        var version = Regex.Match(File.ReadAllText(Path.Combine(RepoRoot.Path, "Directory.Build.props")), "<Version>([^<]+)</Version>").Groups[1].Value;
        Assert.Matches($"ModuleVersion\\s*=\\s*'{Regex.Escape(version)}'", manifest);
        var rootModule = Regex.Match(manifest, @"RootModule\s*=\s*'([^']+)'").Groups[1].Value;
        Assert.True(File.Exists(Path.Combine(dir.Path, rootModule)), $"RootModule {rootModule} is missing");
        Assert.Matches(@"CompatiblePSEditions\s*=\s*@\('Core'\)", manifest);
        Assert.Matches(@"PowerShellVersion\s*=\s*'7\.4'", manifest);
    }
}
