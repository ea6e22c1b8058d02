using OcspStapling.Engine.Lab;

namespace OcspStapling.Tests.Support;

/// <summary>One throwaway PKI shared by a test class: RSA key generation is the slow part.</summary>
public sealed class LabFixture : IDisposable
{
    public LabPki Pki { get; } = LabPki.Create();

    public void Dispose() => Pki.Dispose();
}
