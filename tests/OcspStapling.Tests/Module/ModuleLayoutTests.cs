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
public sealed class ModuleLayoutTests : IClassFixture<PublishedModule>, IClassFixture<LabFixture>
{
    private readonly PublishedModule _module;
    private readonly LabFixture _lab;

    public ModuleLayoutTests(PublishedModule module, LabFixture lab)
    {
        _module = module;
        _lab = lab;
    }

    [Fact]
    public void The_module_folder_holds_manifest_module_and_isolated_dependencies_but_not_the_powershell_facade()
    {
        var files = Directory.GetFiles(_module.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_module.Path, f)).ToList();

        Assert.Contains("OcspStapling.psd1", files);
        Assert.Contains("OcspStapling.dll", files);
        Assert.Contains("OcspStapling.Format.ps1xml", files);
        Assert.Contains(Path.Combine("Dependencies", "OcspStapling.Engine.dll"), files);
        Assert.Contains(Path.Combine("Dependencies", "BouncyCastle.Crypto.dll"), files);
        Assert.Contains(Path.Combine("Dependencies", "StackExchange.Redis.dll"), files);
        Assert.DoesNotContain("OcspStapling.Engine.dll", files);
        Assert.DoesNotContain("StackExchange.Redis.dll", files);
        Assert.DoesNotContain("BouncyCastle.Crypto.dll", files);
        Assert.DoesNotContain(files, f => f.EndsWith("System.Management.Automation.dll"));
    }

    [Fact]
    public void Build_ps1_checks_for_the_files_where_publish_puts_them_and_not_where_it_must_not()
    {
        // build.ps1 cannot run here (no pwsh); its layout checks are read and held against the published folder.
        var script = File.ReadAllText(Path.Combine(RepoRoot.Path, "build.ps1"));
        var required = Regex.Match(script, @"foreach \(\$file in @\(\$data\.RootModule, ([^)]*)\)\)").Groups[1].Value;
        var forbidden = Regex.Match(script, @"foreach \(\$file in @\(('[^)]*)\)\) \{\s*if \(Test-Path[^{]*\{ throw ""Module folder holds").Groups[1].Value;
        static IEnumerable<string> Names(string list) => Regex.Matches(list, "'([^']+)'").Select(m => m.Groups[1].Value);

        Assert.NotEmpty(Names(required));
        Assert.NotEmpty(Names(forbidden));
        Assert.All(Names(required), file => Assert.True(File.Exists(Path.Combine(_module.Path, file)), $"build.ps1 requires {file}, which publish does not produce"));
        Assert.All(Names(forbidden), file => Assert.False(File.Exists(Path.Combine(_module.Path, file)), $"publish puts {file} where build.ps1 forbids it"));
    }

    [Fact]
    public void The_manifest_carries_the_one_version_and_names_only_files_that_exist()
    {
        var manifest = File.ReadAllText(Path.Combine(_module.Path, "OcspStapling.psd1"));
        var version = Regex.Match(File.ReadAllText(Path.Combine(RepoRoot.Path, "Directory.Build.props")), "<Version>([^<]+)</Version>").Groups[1].Value;

        Assert.Matches($"ModuleVersion\\s*=\\s*'{Regex.Escape(version)}'", manifest);
        Assert.Matches(@"CompatiblePSEditions\s*=\s*@\('Core'\)", manifest);
        Assert.Matches(@"PowerShellVersion\s*=\s*'7\.4'", manifest);
        foreach (var key in new[] { "RootModule", "FormatsToProcess" })
        {
            var named = Regex.Match(manifest, key + @"\s*=\s*(?:@\()?'([^']+)'").Groups[1].Value;
            Assert.True(File.Exists(Path.Combine(_module.Path, named)), $"{key} names {named}, which is not in the module folder");
        }
        // A PowerShell data file: a hashtable literal, no code beyond literals.
        Assert.StartsWith("@{", manifest.TrimStart());
        Assert.EndsWith("}", manifest.TrimEnd());
        Assert.DoesNotMatch(@"\$\(|Invoke-|&\s*\{", manifest);
    }

    [Fact]
    public async Task The_engine_runs_and_staples_in_its_own_context_beside_another_BouncyCastle_in_the_default_one()
    {
        using var dir = new TempDirectory();
        var pki = _lab.Pki;
        var leaf = pki.IssueLeaf("isolation.example.test", Array.Empty<string>());
        await using var responder = new Engine.Lab.LabResponder(pki);
        responder.Add(leaf);
        using var fetcher = new Engine.Operations.StapleFetcher();
        var result = await fetcher.FetchAsync(new Engine.Certificates.CertificateBundle(leaf, new[] { pki.Issuer }, null),
            Engine.Operations.FetchOptions.Default with { Responder = responder.Url });
        var der = dir.File("response.der");
        File.WriteAllBytes(der, result.Response.RawData);
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name; // bin/<Configuration>/net8.0
        var probe = Path.Combine(RepoRoot.Path, "tests", "IsolationProbe", "bin", configuration, "net8.0", "IsolationProbe.dll");
        var fake = Path.Combine(RepoRoot.Path, "tests", "FakeBouncyCastle", "bin", configuration, "net8.0", "BouncyCastle.Crypto.dll");

        var pfx = dir.File("leaf.pfx");
        File.WriteAllBytes(pfx, leaf.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx));
        var issuer = dir.File("issuer.cer");
        File.WriteAllBytes(issuer, pki.Issuer.RawData);

        var run = await ProcessRunner.RunAsync("dotnet", new[] { "exec", "--roll-forward", "LatestMajor", probe, _module.Path, fake, der, pfx, issuer });

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains("default context holds BouncyCastle.Crypto 1.9.0.0", run.StdOut);
        Assert.Contains("engine context OcspStapling.Dependencies", run.StdOut);
        Assert.Contains("response status Successful", run.StdOut);
        Assert.Contains("engine uses BouncyCastle.Crypto 1.8.10.0", run.StdOut);
        // The listener from that context; where libssl.so.3 exists, its OpenSSL front (DllImport, and a status callback
        // into managed code), which is what Start-StaplingListener uses there.
        if (System.Runtime.InteropServices.NativeLibrary.TryLoad("libssl.so.3", out _))
            Assert.Contains("listener TLS by OpenSSL 3", run.StdOut);
        Assert.Contains("probe saw a staple: Good", run.StdOut);
    }
}
