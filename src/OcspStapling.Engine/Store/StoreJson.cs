using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using OcspStapling.Engine.Protocol;

namespace OcspStapling.Engine.Store;

/// <summary>
/// How sidecars are written and read: camelCase names and enum values, indented. Generated at build time (no
/// reflection), so the CLI compiles ahead of time (reading sidecars was no faster for it: file reads dominate).
/// </summary>
internal static class StoreJson
{
    public static readonly JsonTypeInfo<StapleMetadata> Metadata = (JsonTypeInfo<StapleMetadata>)new JsonSerializerOptions
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        TypeInfoResolver = StoreJsonContext.Default,
        Converters = { new JsonStringEnumConverter<CertStatus>(JsonNamingPolicy.CamelCase) },
    }.GetTypeInfo(typeof(StapleMetadata));
}

[JsonSerializable(typeof(StapleMetadata))]
internal sealed partial class StoreJsonContext : JsonSerializerContext
{
}
