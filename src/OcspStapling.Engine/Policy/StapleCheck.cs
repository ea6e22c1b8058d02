namespace OcspStapling.Engine.Policy;

/// <summary>
/// The policy's verdict on what a server staples or a file holds (test, probe), so that both, and every front, give
/// the same answer and exit code for the same facts.
/// </summary>
public enum StapleCheck
{
    /// <summary>A good answer about this certificate, verified (or verification skipped on request: report, do not act).</summary>
    Good,
    /// <summary>Nothing stapled, and the certificate names no responder and does not demand a staple: nothing to staple.</summary>
    NoOcsp,
    /// <summary>Nothing stapled although the certificate has a responder or demands a staple.</summary>
    NotStapled,
    /// <summary>Something stapled that is not a good answer about this certificate (revoked, unknown, unverifiable, unreadable).</summary>
    NotGood,
}

public static class StapleCheckExtensions
{
    /// <summary>What a test passes with: a good staple, or a certificate that has nothing to staple.</summary>
    public static bool Passes(this StapleCheck check) => check is StapleCheck.Good or StapleCheck.NoOcsp;
}
