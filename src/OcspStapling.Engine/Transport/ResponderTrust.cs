using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace OcspStapling.Engine.Transport;

/// <summary>Trust for https:// responders: the system's roots, or else the extra roots an administrator names.</summary>
internal static class ResponderTrust
{
    public static bool Accept(System.Security.Cryptography.X509Certificates.X509Certificate? certificate, X509Chain? systemChain, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (errors == SslPolicyErrors.None)
            return true;
        // A wrong name or no certificate at all is never excused by extra roots.
        if (certificate == null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
            return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (systemChain != null)
            chain.ChainPolicy.ExtraStore.AddRange(systemChain.ChainPolicy.ExtraStore);
        return chain.Build(certificate as X509Certificate2 ?? new X509Certificate2(certificate));
    }
}
