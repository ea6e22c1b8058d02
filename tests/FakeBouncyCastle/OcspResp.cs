namespace Org.BouncyCastle.Ocsp;

/// <summary>A look-alike with nothing inside: an engine bound to this assembly would fail on its first call.</summary>
public sealed class OcspResp
{
}
