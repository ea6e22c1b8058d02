using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Core;

/// <summary>A missing peer skips a test with the install line on a developer machine, and fails it under CI=true.</summary>
public sealed class PeerSkipTests
{
    [Fact]
    public void A_missing_program_skips_with_the_install_line_unless_in_ci()
    {
        var attribute = new PeerFactAttribute("no-such-peer-ocspstaple");

        if (Support.Peers.IsCi)
            Assert.Null(attribute.Skip); // runs, and fails on the missing program: CI must not hide it
        else
            Assert.Contains("apt-get install -y no-such-peer-ocspstaple", attribute.Skip);
        Assert.Null(new PeerFactAttribute("sh").Skip);
    }
}
