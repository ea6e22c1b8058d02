using System.Globalization;
using System.Text;
using OcspStapling.Engine.Policy;

namespace OcspStapling.Engine.Reporting;

/// <summary>
/// Prometheus's text exposition format, as update's textfile and the listener's endpoint both write it: a family's
/// HELP and TYPE lines, one sample line, label values escaped, and a site state's name as a label value.
/// </summary>
internal static class PrometheusText
{
    public static void Header(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    /// <param name="labels">Already formatted (<see cref="Label"/>, joined by commas); empty for none.</param>
    public static void Sample(StringBuilder text, string name, string labels, long value)
    {
        text.Append(name);
        if (labels.Length > 0)
            text.Append('{').Append(labels).Append('}');
        text.Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    /// <summary>name="value", the value escaped as the format asks: backslash, double quote, newline.</summary>
    public static string Label(string name, string value) =>
        $"{name}=\"{value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n")}\"";

    /// <summary>A state as its label value: the JSON report's camelCase name.</summary>
    public static string StateName(SiteState state) => char.ToLowerInvariant(state.ToString()[0]) + state.ToString()[1..];
}
