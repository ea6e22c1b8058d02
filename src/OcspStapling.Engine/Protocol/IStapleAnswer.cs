namespace OcspStapling.Engine.Protocol;

/// <summary>
/// What the policy and "valid now" need of an answer: its status and window. A decoded <see cref="SingleResponse"/>
/// is one; so is the summary the store's sidecar keeps of the staple it vouches for, read without decoding it.
/// </summary>
public interface IStapleAnswer
{
    CertStatus CertStatus { get; }

    DateTimeOffset ThisUpdate { get; }

    DateTimeOffset? NextUpdate { get; }
}
