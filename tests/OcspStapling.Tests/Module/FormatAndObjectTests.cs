using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Module;

/// <summary>
/// The objects the cmdlets write, read from the module's metadata: every one has a table view and a default display
/// set naming real properties, and exposes plain values only (no engine or BouncyCastle types), so it serializes and
/// converts to JSON anywhere. How they look in pwsh is tested by tests/Pester/Objects.Tests.ps1.
/// </summary>
public sealed class FormatAndObjectTests
{
    private static readonly Assembly Module = typeof(OcspCmdlet).Assembly;

    private static readonly Type[] OutputTypes =
    {
        typeof(OcspResponseInfo), typeof(StapleTestInfo), typeof(StapleProbeInfo), typeof(SiteStatus),
        typeof(StaplingListenerInfo), typeof(ListenerSiteInfo),
    };

    private static XDocument Format => XDocument.Load(Path.Combine(RepoRoot.Path, "OcspStapling.Format.ps1xml"));

    private static XDocument Types => XDocument.Load(Path.Combine(RepoRoot.Path, "OcspStapling.Types.ps1xml"));

    [Fact]
    public void Every_output_type_has_a_table_view_and_a_default_display_set()
    {
        var tables = Format.Descendants("View").Where(v => v.Element("TableControl") != null).Select(v => v.Element("ViewSelectedBy")!.Element("TypeName")!.Value).ToList();
        var displaySets = Types.Descendants("Type").Select(t => t.Element("Name")!.Value).ToList();
        foreach (var type in OutputTypes)
        {
            Assert.Contains(type.FullName, tables);
            Assert.Contains(type.FullName, displaySets);
        }
    }

    [Fact]
    public void Every_property_a_view_or_display_set_shows_exists_on_its_type()
    {
        foreach (var view in Format.Descendants("View"))
        {
            var type = Module.GetType(view.Element("ViewSelectedBy")!.Element("TypeName")!.Value, throwOnError: true)!;
            var named = view.Descendants("PropertyName").Select(p => p.Value)
                .Concat(view.Descendants("ScriptBlock").SelectMany(s => Regex.Matches(s.Value, @"\$_\.(\w+)").Select(m => m.Groups[1].Value)));
            foreach (var property in named)
                Assert.True(type.GetProperty(property) != null, $"{type.Name} has no property {property} (view {view.Element("Name")!.Value})");
        }
        foreach (var entry in Types.Descendants("Type"))
        {
            var type = Module.GetType(entry.Element("Name")!.Value, throwOnError: true)!;
            foreach (var property in entry.Descendants("ReferencedProperties").Elements("Name").Select(n => n.Value))
                Assert.True(type.GetProperty(property) != null, $"{type.Name} has no property {property} (Types.ps1xml)");
        }
    }

    [Fact]
    public void Table_columns_have_as_many_headers_as_items_and_fit_80_columns()
    {
        foreach (var table in Format.Descendants("TableControl"))
        {
            var headers = table.Descendants("TableColumnHeader").ToList();
            Assert.Equal(headers.Count, table.Descendants("TableColumnItem").Count());
            Assert.True(headers.Sum(h => int.Parse(h.Element("Width")!.Value)) + headers.Count - 1 <= 80);
        }
    }

    [Fact]
    public void Output_objects_expose_only_plain_values_and_each_other()
    {
        static bool Plain(Type t) => t.IsPrimitive || t == typeof(string) || t == typeof(DateTime) || OutputTypes.Contains(t);
        foreach (var type in OutputTypes)
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var exposed = property.PropertyType;
                var element = exposed.IsArray ? exposed.GetElementType()! : Nullable.GetUnderlyingType(exposed) ?? exposed;
                Assert.True(Plain(element), $"{type.Name}.{property.Name} exposes {exposed.FullName}");
            }
        }
    }

    [Fact]
    public void Output_objects_say_what_they_are_in_ToString()
    {
        foreach (var type in OutputTypes)
            Assert.True(type.GetMethod("ToString", Type.EmptyTypes)!.DeclaringType == type, $"{type.Name} overrides ToString");
    }
}
