using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Module;

/// <summary>The Format.ps1xml views name real types and properties, and the objects carry no BouncyCastle types.</summary>
public sealed class FormatAndObjectTests
{
    private static readonly Assembly Engine = typeof(OcspStapling.Engine.StaplingException).Assembly;

    private static readonly string[] OutputTypes =
    {
        "OcspStapling.Engine.Operations.OcspResult", "OcspStapling.Engine.Operations.StapleTestResult", "OcspStapling.Engine.Tls.ProbeResult",
        "OcspStapling.Engine.Tls.StaplingListener", "OcspStapling.Engine.Refresh.RefreshSummary",
    };

    private static XDocument Format => XDocument.Load(Path.Combine(RepoRoot.Path, "OcspStapling.Format.ps1xml"));

    [Fact]
    public void Every_output_type_has_a_table_view_and_a_list_view()
    {
        var views = Format.Descendants("View").Select(v => (Type: v.Element("ViewSelectedBy")!.Element("TypeName")!.Value, Table: v.Element("TableControl") != null)).ToList();
        foreach (var type in OutputTypes)
        {
            Assert.Contains((type, true), views);
            Assert.Contains((type, false), views);
        }
    }

    [Fact]
    public void Every_property_a_view_shows_exists_on_its_type()
    {
        foreach (var view in Format.Descendants("View"))
        {
            var type = Engine.GetType(view.Element("ViewSelectedBy")!.Element("TypeName")!.Value, throwOnError: true)!;
            var named = view.Descendants("PropertyName").Select(p => p.Value)
                .Concat(view.Descendants("ScriptBlock").SelectMany(s => Regex.Matches(s.Value, @"\$_\.(\w+)").Select(m => m.Groups[1].Value)));
            foreach (var property in named)
                Assert.True(type.GetProperty(property) != null, $"{type.Name} has no property {property} (view {view.Element("Name")!.Value})");
        }
    }

    [Fact]
    public void Table_columns_have_as_many_headers_as_items()
    {
        foreach (var table in Format.Descendants("TableControl"))
            Assert.Equal(table.Descendants("TableColumnHeader").Count(), table.Descendants("TableColumnItem").Count());
    }

    [Fact]
    public void Output_objects_expose_no_BouncyCastle_types_so_they_serialise_anywhere()
    {
        var seen = new HashSet<Type>();
        var pending = new Queue<Type>(OutputTypes.Select(n => Engine.GetType(n, true)!));
        while (pending.TryDequeue(out var type))
        {
            if (!seen.Add(type) || type.Assembly != Engine)
                continue;
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var exposed = property.PropertyType;
                var inner = exposed.IsGenericType ? exposed.GetGenericArguments() : new[] { Nullable.GetUnderlyingType(exposed) ?? exposed };
                foreach (var t in inner.Append(exposed))
                {
                    Assert.False(t.Namespace?.StartsWith("Org.BouncyCastle") == true, $"{type.Name}.{property.Name} exposes {t.FullName}");
                    pending.Enqueue(t);
                }
            }
        }
        Assert.Contains(Engine.GetType("OcspStapling.Engine.Protocol.OcspResponse", true)!, seen);
    }

    [Fact]
    public void Output_objects_say_what_they_are_in_ToString()
    {
        foreach (var name in OutputTypes)
            Assert.True(Engine.GetType(name, true)!.GetMethod("ToString", Type.EmptyTypes)!.DeclaringType!.Assembly == Engine, $"{name} overrides ToString");
    }
}
