using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine.Certificates;
using OcspStapling.Engine.Policy;
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

    /// <summary>
    /// The one verdict on what the server staples, as `ocspstaple test --host` gives it: Good, NoOcsp (the certificate
    /// names no responder, so nothing to staple), NotStapled or NotGood.
    /// </summary>
    public string Verdict => _probe.Verdict.ToString();

    /// <summary>The verdict passes: a good staple, or a certificate with nothing to staple (the CLI's exit 0).</summary>
    public bool Passed => _probe.Verdict.Passes();

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
