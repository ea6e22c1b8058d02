using System.Reflection;
using System.Text.RegularExpressions;
using OcspStapling.Tests.Support;
using static OcspStapling.Tests.Module.CmdletMetadata;

namespace OcspStapling.Tests.Module;

/// <summary>
/// The platyPS help in en-US/ against the compiled cmdlets (as PSScriptAnalyzer's ModuleHelp.Tests.ps1 checks
/// help against Get-Command): every cmdlet and parameter documented, nothing stale, and the yaml blocks saying
/// what the code says. Adding a parameter without help fails here.
/// </summary>
public sealed class HelpTests
{
    private static readonly string HelpDirectory = Path.Combine(RepoRoot.Path, "en-US");

    public static IEnumerable<object[]> Cmdlets => CmdletTypes.Select(t => new object[] { CmdletName(t) });

    private static Type TypeOf(string cmdlet) => CmdletTypes.Single(t => CmdletName(t) == cmdlet);

    private static string Help(string cmdlet)
    {
        var path = Path.Combine(HelpDirectory, cmdlet + ".md");
        Assert.True(File.Exists(path), $"{cmdlet} has no help file en-US/{cmdlet}.md");
        return File.ReadAllText(path);
    }

    private static string Section(string help, string name)
    {
        var match = Regex.Match(help, $@"^## {name}\s*$(.*?)(?=^## |\z)", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(match.Success, $"no ## {name} section");
        return match.Groups[1].Value.Trim();
    }

    private static Dictionary<string, string> ParameterSections(string help) =>
        Regex.Matches(Section(help, "PARAMETERS"), @"^### -(\w+)\s*$(.*?)(?=^### |\z)", RegexOptions.Multiline | RegexOptions.Singleline)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Help_has_front_matter_synopsis_description_and_two_examples_with_code(string cmdlet)
    {
        var help = Help(cmdlet);

        Assert.Contains("external help file: OcspStapling.dll-Help.xml", help);
        Assert.Contains("schema: 2.0.0", help);
        Assert.DoesNotContain("{{", help); // platyPS placeholders left unfilled
        Assert.NotEmpty(Section(help, "SYNOPSIS"));
        Assert.True(Section(help, "DESCRIPTION").Length > 80, $"{cmdlet}: the description says too little");
        var examples = Regex.Matches(Section(help, "EXAMPLES"), @"^### Example \d+.*?```powershell\s*\n(.+?)```", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(examples.Count >= 2, $"{cmdlet}: {examples.Count} examples with code");
        Assert.All(examples, e => Assert.Contains(cmdlet, e.Groups[1].Value));
        foreach (var section in new[] { "SYNTAX", "INPUTS", "OUTPUTS", "RELATED LINKS" })
            Assert.NotEmpty(Section(help, section));
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Every_parameter_is_documented_and_no_documented_parameter_is_stale(string cmdlet)
    {
        var type = TypeOf(cmdlet);
        var documented = ParameterSections(Help(cmdlet)).Keys.Where(k => k is not ("WhatIf" or "Confirm")).OrderBy(k => k);
        var supportsShouldProcess = Named<bool>(Attribute(type, "CmdletAttribute")!, "SupportsShouldProcess");

        Assert.Equal(Parameters(type).Select(p => p.Name).OrderBy(n => n), documented);
        var sections = ParameterSections(Help(cmdlet));
        Assert.Equal(supportsShouldProcess, sections.ContainsKey("WhatIf") && sections.ContainsKey("Confirm"));
        foreach (var (name, text) in sections)
            Assert.True(text.Split("```yaml")[0].Trim().Length > 10, $"{cmdlet} -{name} has no description");
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Type_required_position_and_pipeline_input_match_the_code(string cmdlet)
    {
        var type = TypeOf(cmdlet);
        var sections = ParameterSections(Help(cmdlet));
        foreach (var property in Parameters(type))
        {
            var blocks = Regex.Matches(sections[property.Name], "```yaml\n(.*?)```", RegexOptions.Singleline)
                .Select(m => m.Groups[1].Value.Split('\n').Where(l => l.Contains(':')).ToDictionary(l => l[..l.IndexOf(':')].Trim(), l => l[(l.IndexOf(':') + 1)..].Trim()))
                .ToList();
            Assert.NotEmpty(blocks);
            Assert.All(blocks, b => Assert.Equal(DisplayName(property.PropertyType), b["Type"]));
            foreach (var declaration in Attributes(property, "ParameterAttribute"))
            {
                var set = Named<string>(declaration, "ParameterSetName") ?? "(All)";
                var block = blocks.SingleOrDefault(b => b["Parameter Sets"].Split(", ").Contains(set));
                Assert.True(block != null, $"{cmdlet} -{property.Name}: no yaml block for parameter set {set}");
                Assert.Equal(Named<bool>(declaration, "Mandatory").ToString(), block!["Required"]);
                var position = declaration.NamedArguments.Any(a => a.MemberName == "Position") ? Named<int>(declaration, "Position").ToString() : "Named";
                Assert.Equal(position, block["Position"]);
                var pipeline = new List<string>();
                if (Named<bool>(declaration, "ValueFromPipeline"))
                    pipeline.Add("ByValue");
                if (Named<bool>(declaration, "ValueFromPipelineByPropertyName"))
                    pipeline.Add("ByPropertyName");
                Assert.Equal(pipeline.Count == 0 ? "False" : $"True ({string.Join(", ", pipeline)})", block["Accept pipeline input"]);
            }
            var aliases = (Attribute(property, "AliasAttribute")?.ConstructorArguments[0].Value as IReadOnlyCollection<CustomAttributeTypedArgument>)?.Select(a => (string)a.Value!) ?? Array.Empty<string>();
            Assert.All(blocks, b => Assert.Equal(string.Join(", ", aliases), b["Aliases"]));
        }
    }

    [Fact]
    public void Help_files_exist_only_for_exported_cmdlets_and_the_about_topic_covers_the_concepts()
    {
        var names = CmdletTypes.Select(CmdletName).ToHashSet();
        var files = Directory.GetFiles(HelpDirectory, "*.md").Select(f => Path.GetFileNameWithoutExtension(f)!).Where(n => !n.StartsWith("about_")).ToList();
        Assert.All(files, f => Assert.Contains(f, names));

        var about = File.ReadAllText(Path.Combine(HelpDirectory, "about_OcspStapling.md"));
        foreach (var topic in new[] { "## SHORT DESCRIPTION", "## LONG DESCRIPTION", "### The store", "### Refresh policy", "### Scheduling", "### nginx", "### HAProxy", "### Troubleshooting", "Register-ScheduledTask", "systemd", "cron", "Host header", "roxy", "must-staple" })
            Assert.Contains(topic, about, StringComparison.OrdinalIgnoreCase);
    }

    private static readonly string[] CommonParameters =
    {
        "Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ProgressAction", "ErrorVariable", "WarningVariable",
        "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable", "WhatIf", "Confirm",
    };

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Examples_call_the_modules_cmdlets_only_with_parameters_they_have(string cmdlet)
    {
        var names = CmdletTypes.ToDictionary(CmdletName, t => Parameters(t)
            .SelectMany(p => new[] { p.Name }.Concat((Attribute(p, "AliasAttribute")?.ConstructorArguments[0].Value as IReadOnlyCollection<CustomAttributeTypedArgument>)?.Select(a => (string)a.Value!) ?? Array.Empty<string>()))
            .Concat(CommonParameters).ToHashSet(StringComparer.OrdinalIgnoreCase));
        var code = string.Join("\n", Regex.Matches(Help(cmdlet), "```powershell\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value));
        // Subexpressions such as (New-TimeSpan -Minutes 30) hold other commands' parameters: drop those first
        // (innermost out), keeping the ones that call this module's cmdlets, whose parentheses then end a call.
        var cmdletPattern = string.Join("|", names.Keys.Select(Regex.Escape));
        for (var before = ""; before != code;)
        {
            before = code;
            code = Regex.Replace(code, @"\([^()]*\)", m => Regex.IsMatch(m.Value, cmdletPattern) ? m.Value.Replace("(", "\u0001").Replace(")", "\u0002") : "X");
        }
        var calls = Regex.Matches(code, $@"\b({cmdletPattern})\b([^|;""}}\n\u0001\u0002]*)");
        Assert.NotEmpty(calls);
        foreach (Match call in calls)
        {
            var used = Regex.Matches(call.Groups[2].Value, @"(?<=\s)-(\w+)").Select(m => m.Groups[1].Value);
            var unknown = used.Where(p => !names[call.Groups[1].Value].Contains(p)).ToList();
            Assert.True(unknown.Count == 0, $"{cmdlet} help: '{call.Value.Trim()}' uses {string.Join(", ", unknown.Select(u => "-" + u))}, which {call.Groups[1].Value} does not have");
        }
    }

    // How platyPS spells types: the short name, [] for arrays.
    private static string DisplayName(Type type) => type.IsArray ? DisplayName(type.GetElementType()!) + "[]" : type.Name;
}
