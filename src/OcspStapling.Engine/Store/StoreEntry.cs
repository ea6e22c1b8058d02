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

    /// <summary>The metadata's record of the answer, when it describes exactly this staple.</summary>
    internal static IStapleAnswer? VouchedAnswer(byte[]? staple, StapleMetadata? metadata) =>
        staple != null && metadata is { StapleSha256: { } sha, ThisUpdate: { } thisUpdate, CertStatus: { } status } && sha == StapleStore.Sha256(staple)
            ? new StoredAnswer(status, thisUpdate, metadata.NextUpdate)
            : null;
}

/// <summary>An answer's status and window as the store's sidecar records them.</summary>
public sealed record StoredAnswer(CertStatus CertStatus, DateTimeOffset ThisUpdate, DateTimeOffset? NextUpdate) : IStapleAnswer;
