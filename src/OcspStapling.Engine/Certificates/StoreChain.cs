using System.Security.Cryptography.X509Certificates;

namespace OcspStapling.Engine.Certificates;

/// <summary>Certificates from a store (Cert:\LocalMachine\My, an X509Certificate2 in hand) have no file chain: ask the platform's chain engine.</summary>
public static class StoreChain
{
    public static CertificateBundle Complete(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // No downloads here: AIA fetching is the issuer locator's job, with its size cap and timeout.
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.AllFlags;
        chain.Build(certificate);
        var others = chain.ChainElements.Select(e => e.Certificate).Skip(1).ToList();
        return new CertificateBundle(certificate, others, null);
    }
}
