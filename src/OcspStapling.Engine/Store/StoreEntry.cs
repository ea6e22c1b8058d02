using System.Text.Json;
using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Verification;

namespace OcspStapling.Engine.Store;

/// <summary>
/// One certificate's entry as read from the store. The staple (DER) is the truth; the metadata is advice about it.
/// When the metadata vouches for the staple (it records the staple's SHA-256 and the answer's status and window, as
/// the writer saw them after verifying it), the answer is read from it and the staple is decoded only when asked:
/// that keeps a run over many entries with nothing due at a file read and a hash each.
/// </summary>
public sealed class StoreEntry
{
    private readonly Lazy<OcspResponse?> _response;

    public StoreEntry(string thumbprint, byte[]? staple, OcspResponse? response, StapleMetadata? metadata)
        : this(thumbprint, staple, new Lazy<OcspResponse?>(response), metadata, response?.Responses.FirstOrDefault())
    {
    }

    /// <summary>An entry whose answer is already known (the metadata's, vouched for); the staple is decoded on first use.</summary>
    internal StoreEntry(string thumbprint, byte[]? staple, Lazy<OcspResponse?> response, StapleMetadata? metadata, IStapleAnswer? answer)
    {
        Thumbprint = thumbprint;
        Staple = staple;
        _response = response;
        Metadata = metadata;
        Answer = answer;
    }

    public string Thumbprint { get; }

    public byte[]? Staple { get; }

    /// <summary>The stored staple, decoded (on first use when the metadata vouches for it).</summary>
    public OcspResponse? Response => _response.Value;

    public StapleMetadata? Metadata { get; }

    /// <summary>The answer the stored staple gives, when it parses.</summary>
    public IStapleAnswer? Answer { get; }

    /// <summary>The stored staple is inside its validity window (<see cref="StapleValidity"/>).</summary>
    public bool HasValidStaple(DateTimeOffset now) => Answer is { } a && StapleValidity.IsValidAt(a, VerificationOptions.Default, now);

    /// <summary>The same staple with other metadata (a failed attempt recorded beside it): nothing is decoded again.</summary>
    internal StoreEntry WithMetadata(StapleMetadata metadata) => new(Thumbprint, Staple, _response, metadata, Answer);

    /// <summary>
    /// An entry from its stored bytes, as any store keeps them: the staple's DER and the metadata's JSON. Damaged
    /// metadata is no advice (the staple stays the truth); a damaged staple is none (the next refresh replaces it).
    /// </summary>
    internal static StoreEntry? FromStored(string thumbprint, byte[]? staple, byte[]? metadataJson)
    {
        var metadata = DecodeMetadata(metadataJson);
        if (staple == null && metadata == null)
            return null;
        // The metadata vouches for this very staple (its hash): decode only if someone asks for more than the answer.
        if (VouchedAnswer(staple, metadata) is { } answer)
        {
            var vouched = staple!;
            return new StoreEntry(thumbprint, vouched, new Lazy<OcspResponse?>(() => DecodeOrNull(vouched)), metadata, answer);
        }
        var response = staple != null ? DecodeOrNull(staple) : null;
        if (response == null)
            staple = null;
        if (metadata?.StapleSha256 != null && (staple == null || metadata.StapleSha256 != StapleStore.Sha256(staple)))
            metadata = metadata with { NextRefresh = null }; // describes another staple: keep the history, not the schedule
        return new StoreEntry(thumbprint, staple, response, metadata);
    }

    internal static byte[] EncodeMetadata(StapleMetadata metadata) => JsonSerializer.SerializeToUtf8Bytes(metadata, StoreJson.Metadata);

    private static StapleMetadata? DecodeMetadata(byte[]? json)
    {
        if (json == null || json.Length > StapleStore.MaxMetadataBytes)
            return null;
        try
        {
            return JsonSerializer.Deserialize(json, StoreJson.Metadata);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static OcspResponse? DecodeOrNull(byte[] staple)
    {
        try
        {
            return OcspResponseDecoder.Decode(staple);
        }
        catch (OcspFormatException)
        {
            return null;
        }
    }

    /// <summary>The metadata's record of the answer, when it describes exactly this staple.</summary>
    internal static IStapleAnswer? VouchedAnswer(byte[]? staple, StapleMetadata? metadata) =>
        staple != null && metadata is { StapleSha256: { } sha, ThisUpdate: { } thisUpdate, CertStatus: { } status } && sha == StapleStore.Sha256(staple)
            ? new StoredAnswer(status, thisUpdate, metadata.NextUpdate)
            : null;
}

/// <summary>An answer's status and window as the store's sidecar records them.</summary>
public sealed record StoredAnswer(CertStatus CertStatus, DateTimeOffset ThisUpdate, DateTimeOffset? NextUpdate) : IStapleAnswer;
