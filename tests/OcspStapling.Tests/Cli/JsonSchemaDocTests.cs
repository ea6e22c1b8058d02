using System.Reflection;
using System.Text.RegularExpressions;
using OcspStapling.Cli.Json;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Cli;

/// <summary>docs/json-schema.md names every field each JSON object has, and no field it does not have.</summary>
public sealed class JsonSchemaDocTests
{
    public static TheoryData<string, Type> Objects => new()
    {
        { "The report", typeof(JsonReport) },
        { "site", typeof(SiteJson) },
        { "skipped", typeof(SkippedJson) },
        { "response", typeof(ResponseJson) },
        { "finding", typeof(FindingJson) },
        { "probe", typeof(ProbeJson) },
        { "error", typeof(ErrorJson) },
    };

    [Theory]
    [MemberData(nameof(Objects))]
    public void The_schema_document_lists_exactly_the_fields_written(string section, Type type)
    {
        var doc = File.ReadAllText(Path.Combine(RepoRoot.Path, "docs", "json-schema.md"));
        var body = Regex.Match(doc, $@"^## {Regex.Escape(section)}\s*$(.*?)(?=^## |\z)", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(body.Success, $"docs/json-schema.md has no section '## {section}'");
        var documented = Regex.Matches(body.Groups[1].Value, @"^\| `(\w+)` \|", RegexOptions.Multiline).Select(m => m.Groups[1].Value);

        // What System.Text.Json writes: public instance properties, camelCased (EqualityContract is compiler-made).
        var written = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.Name != "EqualityContract")
            .Select(p => char.ToLowerInvariant(p.Name[0]) + p.Name[1..]);

        Assert.Equal(written.Order(), documented.Order());
    }
}
