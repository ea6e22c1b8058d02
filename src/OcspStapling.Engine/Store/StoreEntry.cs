using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Verification;

namespace OcspStapling.Engine.Store;

/// <summary>One certificate's entry as read from the store. The staple (DER) is the truth; the metadata is advice about it.</summary>
public sealed record StoreEntry(string Thumbprint, byte[]? Staple, OcspResponse? Response, StapleMetadata? Metadata)
{
    /// <summary>The answer the stored staple gives, when it parses.</summary>
    public SingleResponse? Answer => Response?.Responses.FirstOrDefault();

    /// <summary>The stored staple is inside its validity window (<see cref="StapleValidity"/>).</summary>
    public bool HasValidStaple(DateTimeOffset now) => Answer is { } a && StapleValidity.IsValidAt(a, VerificationOptions.Default, now);
}
