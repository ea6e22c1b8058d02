namespace OcspStapling.Tests.Support;

/// <summary>
/// A test that needs a real peer program (openssl, nginx, haproxy). On a developer's machine without it the test
/// is skipped with the reason; under CI=true it runs anyway, so a missing peer fails instead of hiding.
/// </summary>
public sealed class PeerFactAttribute : FactAttribute
{
    public PeerFactAttribute(params string[] programs)
    {
        var missing = Peers.Missing(programs);
        if (missing.Count > 0 && !Peers.IsCi)
            Skip = $"needs {string.Join(", ", missing)} on PATH (apt-get install -y {string.Join(" ", missing.Select(Peers.DebianPackage))}); CI installs it";
    }
}

/// <summary>The data-driven twin of <see cref="PeerFactAttribute"/>.</summary>
public sealed class PeerTheoryAttribute : TheoryAttribute
{
    public PeerTheoryAttribute(params string[] programs)
    {
        var missing = Peers.Missing(programs);
        if (missing.Count > 0 && !Peers.IsCi)
            Skip = $"needs {string.Join(", ", missing)} on PATH (apt-get install -y {string.Join(" ", missing.Select(Peers.DebianPackage))}); CI installs it";
    }
}
