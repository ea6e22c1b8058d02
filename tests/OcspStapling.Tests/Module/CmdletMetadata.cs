using System.Reflection;

namespace OcspStapling.Tests.Module;

/// <summary>
/// Reads cmdlet metadata as the compiler wrote it. PowerShellStandard.Library is a facade whose attribute
/// properties read back as defaults at run time here, so attribute instances cannot be trusted; CustomAttributeData can.
/// </summary>
public static class CmdletMetadata
{
    public static Assembly ModuleAssembly => typeof(OcspStapling.Commands.GetOcspResponseCommand).Assembly;

    public static IEnumerable<Type> CmdletTypes => ModuleAssembly.GetTypes().Where(t => !t.IsAbstract && Attribute(t, "CmdletAttribute") != null);

    public static CustomAttributeData? Attribute(MemberInfo member, string name) =>
        member.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.Name == name);

    public static IEnumerable<CustomAttributeData> Attributes(MemberInfo member, string name) =>
        member.GetCustomAttributesData().Where(a => a.AttributeType.Name == name);

    public static string CmdletName(Type type)
    {
        var cmdlet = Attribute(type, "CmdletAttribute")!;
        return $"{cmdlet.ConstructorArguments[0].Value}-{cmdlet.ConstructorArguments[1].Value}";
    }

    public static T? Named<T>(CustomAttributeData attribute, string name) =>
        attribute.NamedArguments.Where(a => a.MemberName == name).Select(a => (T?)a.TypedValue.Value).FirstOrDefault();

    /// <summary>Public properties carrying [Parameter].</summary>
    public static IEnumerable<PropertyInfo> Parameters(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => Attribute(p, "ParameterAttribute") != null);

    public static IEnumerable<(PropertyInfo Property, CustomAttributeData Parameter)> ParameterDeclarations(Type type) =>
        Parameters(type).SelectMany(p => Attributes(p, "ParameterAttribute").Select(a => (p, a)));

    public static string SetOf(CustomAttributeData parameter) => Named<string>(parameter, "ParameterSetName") ?? "__AllParameterSets";
}
