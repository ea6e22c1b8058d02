using System.Text.RegularExpressions;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Module;

/// <summary>The module folder `dotnet publish` assembles (what build.ps1 also produces), published once for these tests.</summary>
public sealed class PublishedModule : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();

    public string Path => _directory.Path;

    public async Task InitializeAsync()
    {
        var publish = await ProcessRunner.RunAsync("dotnet",
            new[] { "publish", System.IO.Path.Combine(RepoRoot.Path, "src", "OcspStapling", "OcspStapling.csproj"), "-c", "Release", "-o", Path, "--nologo" },
            timeout: TimeSpan.FromMinutes(4));
        Assert.True(publish.ExitCode == 0, publish.All);
    }

    public Task DisposeAsync()
    {
        _directory.Dispose();
        return Task.CompletedTask;
    }
}

[Collection(PublishingCollection.Name)]
public sealed class ModuleLayoutTests : IClassFixture<PublishedModule>
{
    private readonly PublishedModule _module;

    public ModuleLayoutTests(PublishedModule module)
    {
        _module = module;
    }

    [Fact]
    public void The_module_folder_holds_manifest_module_and_isolated_dependencies_but_not_the_powershell_facade()
    {
        var files = Directory.GetFiles(_module.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_module.Path, f)).ToList();

        Assert.Contains("OcspStapling.psd1", files);
        Assert.Contains("OcspStapling.dll", files);
        // What PowerShell reflects over at import and what users name: beside the module DLL, in the default context.
        Assert.Contains("OcspStapling.Types.dll", files);
        Assert.Contains("OcspStapling.Format.ps1xml", files);
        Assert.Contains("OcspStapling.Types.ps1xml", files);
        Assert.Contains(Path.Combine("en-US", "OcspStapling.dll-Help.xml"), files);
        Assert.Contains(Path.Combine("en-US", "about_OcspStapling.help.txt"), files);
        Assert.Contains(Path.Combine("Dependencies", "OcspStapling.Engine.dll"), files);
        Assert.Contains(Path.Combine("Dependencies", "BouncyCastle.Cryptography.dll"), files);
        Assert.Contains(Path.Combine("Dependencies", "StackExchange.Redis.dll"), files);
        Assert.DoesNotContain("OcspStapling.Engine.dll", files);
        Assert.DoesNotContain("StackExchange.Redis.dll", files);
        Assert.DoesNotContain("BouncyCastle.Cryptography.dll", files);
        Assert.DoesNotContain(files, f => f.EndsWith("System.Management.Automation.dll"));
    }

    [Fact]
    public void The_manifest_carries_the_one_version_and_names_only_files_that_exist()
    {
        var manifest = File.ReadAllText(Path.Combine(_module.Path, "OcspStapling.psd1"));
        var version = Regex.Match(File.ReadAllText(Path.Combine(RepoRoot.Path, "Directory.Build.props")), "<Version>([^<]+)</Version>").Groups[1].Value;

        Assert.Matches($"ModuleVersion\\s*=\\s*'{Regex.Escape(version)}'", manifest);
        Assert.Matches(@"CompatiblePSEditions\s*=\s*@\('Core'\)", manifest);
        Assert.Matches(@"PowerShellVersion\s*=\s*'7\.4'", manifest);
        foreach (var key in new[] { "RootModule", "FormatsToProcess", "TypesToProcess" })
        {
            var named = Regex.Match(manifest, key + @"\s*=\s*(?:@\()?'([^']+)'").Groups[1].Value;
            Assert.True(File.Exists(Path.Combine(_module.Path, named)), $"{key} names {named}, which is not in the module folder");
        }
        // A PowerShell data file: a hashtable literal, no code beyond literals.
        Assert.StartsWith("@{", manifest.TrimStart());
        Assert.EndsWith("}", manifest.TrimEnd());
        Assert.DoesNotMatch(@"\$\(|Invoke-|&\s*\{", manifest);
    }
}
