namespace OcspStapling;

/// <summary>The hash a CertID is built with. SHA-1 is what responders expect; some refuse SHA-256.</summary>
public enum CertIdHash
{
    Sha1,
    Sha256,
}
