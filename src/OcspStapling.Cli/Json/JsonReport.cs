using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace OcspStapling.Cli.Json;

/// <summary>
/// The one shape every command's --json output has (docs/json-schema.md): every field present, null when it does
/// not apply, UTC times as RFC 3339 with Z and whole seconds, lower-case hex thumbprints.
/// </summary>
internal sealed record JsonReport
{
    /// <summary>Raised when a field changes meaning or goes away; new fields keep the version.</summary>
    public const int CurrentSchemaVersion = 1;

    // Generated at build time (JsonReportContext): no reflection at run time, so the CLI also compiles ahead of time.
    // Enums never reach the report as such: the records hold their camelCase names (SiteJson.Name).
    private static readonly JsonTypeInfo<JsonReport> TypeInfo = (JsonTypeInfo<JsonReport>)new JsonSerializerOptions
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        TypeInfoResolver = JsonReportContext.Default,
        Converters = { new UtcSecondsConverter(), new NullableUtcSecondsConverter() },
    }.GetTypeInfo(typeof(JsonReport));

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    public required string Command { get; init; }

    public required int ExitCode { get; init; }

    /// <summary>update, status: one object per site (and per unreadable file).</summary>
    public IReadOnlyList<SiteJson>? Sites { get; init; }

    /// <summary>status PATH: store entries no site given refers to; never in the exit code.</summary>
    public IReadOnlyList<SiteJson>? OtherEntries { get; init; }

    /// <summary>update, status: files looked at that are not sites, with why.</summary>
    public IReadOnlyList<SkippedJson>? Skipped { get; init; }

    /// <summary>get, export, test: the OCSP responses fetched or read.</summary>
    public IReadOnlyList<ResponseJson>? Responses { get; init; }

    /// <summary>test --host: what the server sent.</summary>
    public ProbeJson? Probe { get; init; }

    /// <summary>The error that ended the command, when one did.</summary>
    public ErrorJson? Error { get; init; }

    public void WriteTo(TextWriter output) => output.WriteLine(JsonSerializer.Serialize(this, TypeInfo));
}

[JsonSerializable(typeof(JsonReport))]
internal sealed partial class JsonReportContext : JsonSerializerContext
{
}

internal sealed record SkippedJson(string Path, string Reason);

internal sealed record ErrorJson(string Reason, string? Target, string Message);

/// <summary>Times in UTC, whole seconds, with Z: what jq's fromdateiso8601 and most log tools read.</summary>
internal sealed class UtcSecondsConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Format(value));

    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}

internal sealed class NullableUtcSecondsConverter : JsonConverter<DateTimeOffset?>
{
    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : DateTimeOffset.Parse(reader.GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
    {
        if (value is { } v)
            writer.WriteStringValue(UtcSecondsConverter.Format(v));
        else
            writer.WriteNullValue();
    }
}
