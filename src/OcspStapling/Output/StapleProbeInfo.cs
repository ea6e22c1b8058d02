using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Tls;

namespace OcspStapling;

/// <summary>What Test-OcspStaple -ComputerName writes: what a live server staples, judged by the engine's rules.</summary>
public sealed class StapleProbeInfo
{
    private readonly ProbeResult _probe;

    internal StapleProbeInfo(ProbeResult probe)
    {
        _probe = probe;
        Staple = probe.Staple is { } staple ? new OcspResponseInfo(staple) : null;
    }

    public string ComputerName => _probe.Host;

    public int Port => _probe.Port;

    public string? ServerName => _probe.ServerName;

    public string Subject => _probe.Subject;

    public string Thumbprint => CertificateSummary.ThumbprintOf(_probe.Certificate);

    /// <summary>The subjects of the certificates the server sent, leaf first.</summary>
    public string[] Chain => _probe.Chain.Select(c => c.Subject).ToArray();

    /// <summary>The server sent a staple (readable or not).</summary>
    public bool Stapled => _probe.Stapled;

    /// <summary>Stapled, verified and good.</summary>
    public bool Passed => _probe.Passed;

    public bool MustStaple => _probe.MustStaple;

    public string? CertStatus => _probe.CertStatus?.ToString();

    public DateTime? NextUpdate => _probe.NextUpdate?.UtcDateTime;

    /// <summary>Why a stapled response could not be judged (not an OCSP response; issuer not found).</summary>
    public string? StapleProblem => _probe.StapleProblem;

    /// <summary>The stapled response and the verdict on it; empty when nothing readable was stapled.</summary>
    public OcspResponseInfo? Staple { get; }

    public X509Certificate2 GetCertificate() => _probe.Certificate;

    public override string ToString() => _probe.ToString();
}
