using OcspStapling.Engine.Protocol;

namespace OcspStapling.Engine.Verification;

/// <summary>
/// The one definition of "valid now" that test, get, export, update and the listener share. Clock skew helps only
/// at the start of the window (a responder whose clock runs ahead signs thisUpdate slightly in the future); the end
/// gets no grace, because a staple served past nextUpdate is refused by clients whose clocks are right.
/// </summary>
public static class StapleValidity
{
    /// <summary>When the answer stops being valid: nextUpdate, or thisUpdate plus the allowed age when it has none.</summary>
    public static DateTimeOffset ExpiresAt(IStapleAnswer answer, VerificationOptions options) =>
        answer.NextUpdate ?? answer.ThisUpdate + options.MaxAgeWithoutNextUpdate;

    public static bool IsNotYetValid(IStapleAnswer answer, VerificationOptions options, DateTimeOffset now) =>
        answer.ThisUpdate > now + options.ClockSkew;

    /// <summary>Inside its validity window at <paramref name="now"/>, skew applied to its start only.</summary>
    public static bool IsValidAt(IStapleAnswer answer, VerificationOptions options, DateTimeOffset now) =>
        !IsNotYetValid(answer, options, now) && now < ExpiresAt(answer, options);
}
