using System.CommandLine;
using OcspStapling.Cli;

namespace OcspStapling.Tests.Module;

/// <summary>
/// Every option the CLI offers for a job, the cmdlets for that job offer as a parameter, by name: --export-dir is
/// -ExportDir... spelled the PowerShell way (kebab-case to PascalCase), with the renames and the options that have
/// no place in a pipeline listed here, each with its reason.
/// </summary>
public sealed class CliParityTests
{
    /// <summary>Which cmdlets do the job of which command (export is Get-OcspResponse | Export-OcspStapleFile).</summary>
    private static readonly Dictionary<string, string[]> Jobs = new()
    {
        ["get"] = new[] { "Get-OcspResponse" },
        ["export"] = new[] { "Get-OcspResponse", "Export-OcspStapleFile" },
        ["test"] = new[] { "Test-OcspStaple" },
        ["update"] = new[] { "Update-OcspStaple" },
        ["status"] = new[] { "Get-OcspStaple" },
        ["listen"] = new[] { "Start-StaplingListener" },
    };

    /// <summary>Options whose parameter has another name, after PowerShell's conventions or its existing cmdlets.</summary>
    private static readonly Dictionary<string, string> Renamed = new()
    {
        ["--cert"] = "CertificatePath", // the file; -Certificate takes certificate objects
        ["--key"] = "KeyPath",
        ["--sites"] = "SitePath", // a path like -CertificatePath, found as Update-OcspStaple finds sites
        ["--out"] = "Path",
        ["--base64"] = "Format", // -Format Base64
        ["--export-dir"] = "ExportDirectory",
        ["--store"] = "StorePath",
        ["--trusted"] = "TrustedCertificate",
        ["--responder-ca"] = "ResponderCertificateAuthority",
        ["--timeout"] = "TimeoutSec", // Invoke-WebRequest's name for it
        ["--hash"] = "HashAlgorithm",
        ["--no-verify"] = "SkipVerification",
        ["--password-env"] = "Password", // a SecureString, PowerShell's way to hand over a secret
        ["--reload"] = "ReloadCommand",
        ["--haproxy"] = "HAProxy",
        ["--haproxy-socket"] = "HAProxySocket",
        ["--max-size"] = "MaximumResponseBytes",
        ["--host"] = "ComputerName", // Test-NetConnection's name; -HostName is its alias
        ["--servername"] = "ServerName",
        ["--staple-file"] = "StapleFile",
        ["--forward"] = "ForwardTo",
        ["--allow-no-stapling"] = "AllowNoStapling",
    };

    /// <summary>Options that a pipeline does otherwise, not by a parameter.</summary>
    private static readonly Dictionary<string, string> NotParameters = new()
    {
        ["--json"] = "cmdlets emit objects; ConvertTo-Json serializes them",
        ["--verbose"] = "-Verbose is a common parameter",
        ["--help"] = "Get-Help",
        ["--quiet"] = "cmdlets write problems as warnings and errors; Where-Object Severity -ne Ok filters objects (Test-OcspStaple's -Quiet returns a bool, as Test-Connection's does)",
    };

    public static TheoryData<string> Commands => new(Jobs.Keys);

    [Theory]
    [MemberData(nameof(Commands))]
    public void The_cmdlets_for_a_job_offer_every_option_the_command_offers(string command)
    {
        var cmdlets = Jobs[command].Select(name => CmdletMetadata.CmdletTypes.Single(t => CmdletMetadata.CmdletName(t) == name)).ToList();
        var parameters = cmdlets.SelectMany(CmdletMetadata.Parameters).Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);

        var missing = Options(command)
            .Where(option => !NotParameters.ContainsKey(option))
            .Select(option => (Option: option, Parameter: ParameterName(option)))
            .Where(pair => !parameters.Contains(pair.Parameter))
            .Select(pair => $"{pair.Option} -> -{pair.Parameter}")
            .ToList();

        Assert.True(missing.Count == 0, $"{string.Join(", ", Jobs[command])} lack: {string.Join("; ", missing)}");
    }

    [Fact]
    public void Every_command_but_the_demo_has_cmdlets()
    {
        var commands = Root().Subcommands.Select(c => c.Name).Where(n => n != "demo");
        Assert.Equal(commands.Order(), Jobs.Keys.Order());
    }

    private static RootCommand Root() =>
        CliApp.Build(new CliContext(TextWriter.Null, TextWriter.Null, new StopRequest())).Root;

    private static IEnumerable<string> Options(string command)
    {
        var root = Root();
        return root.Subcommands.Single(c => c.Name == command).Options.Concat(root.Options.Where(o => o.Recursive)).Select(o => o.Name);
    }

    /// <summary>--require-ocsp is -RequireOcsp; renames first.</summary>
    private static string ParameterName(string option) =>
        Renamed.TryGetValue(option, out var renamed)
            ? renamed
            : string.Concat(option.TrimStart('-').Split('-').Select(word => char.ToUpperInvariant(word[0]) + word[1..]));
}
