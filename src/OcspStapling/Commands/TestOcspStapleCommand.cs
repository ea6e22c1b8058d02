using System.Security;
using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Tls;

namespace OcspStapling.Commands;

/// <summary>Judges a response (from Get-OcspResponse) or a staple file on disk as a strict client would.</summary>
[Cmdlet(VerbsDiagnostic.Test, "OcspStaple", DefaultParameterSetName = ParameterSets.Result)]
[OutputType(typeof(StapleTestResult), typeof(ProbeResult), typeof(bool), typeof(OcspResult))]
public sealed class TestOcspStapleCommand : OcspCmdlet
{
    public const string ErrorIdPrefix = "TestOcspStaple";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ParameterSets.Result)]
    public OcspResult? InputObject { get; set; }

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.File)]
    [Alias("FullName")]
    public string? Path { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.File)]
    public string? CertificatePath { get; set; }

    /// <summary>The password of a PFX -CertificatePath.</summary>
    [Parameter(ParameterSetName = ParameterSets.File)]
    public SecureString? Password { get; set; }

    /// <summary>Probe what this server staples (TLS 1.2 ClientHello with status_request).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.Computer)]
    [Alias("HostName", "DnsName")]
    public string? ComputerName { get; set; }

    [Parameter(ParameterSetName = ParameterSets.Computer)]
    [ValidateRange(1, 65535)]
    public int Port { get; set; } = 443;

    /// <summary>SNI name to send; the computer name by default.</summary>
    [Parameter(ParameterSetName = ParameterSets.Computer)]
    public string? ServerName { get; set; }

    [Parameter(ParameterSetName = ParameterSets.Computer)]
    [ValidateRange(1, 600)]
    public int TimeoutSec { get; set; } = 10;

    [Parameter(ParameterSetName = ParameterSets.File)]
    [Parameter(ParameterSetName = ParameterSets.Computer)]
    public X509Certificate2? Issuer { get; set; }

    [Parameter(ParameterSetName = ParameterSets.File)]
    [Parameter(ParameterSetName = ParameterSets.Computer)]
    public string? TrustedCertificate { get; set; }

    /// <summary>Report what verification finds but do not fail on it (like openssl ocsp -noverify).</summary>
    [Parameter(ParameterSetName = ParameterSets.File)]
    [Parameter(ParameterSetName = ParameterSets.Computer)]
    public SwitchParameter SkipVerification { get; set; }

    /// <summary>Write only $true or $false.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <summary>Pass responses that pass on down the pipeline (to Export-OcspStapleFile), drop the others.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => ForRecord(ErrorIdPrefix, (object?)ComputerName ?? Path, () =>
        {
            if (ParameterSetName == ParameterSets.Computer)
            {
                var probe = Run(() => StapleProbe.ProbeAsync(ComputerName!, Port, ServerName, IssuerOptions(), TimeSpan.FromSeconds(TimeoutSec), Cancellation));
                if (Quiet)
                    WriteObject(probe.Passed);
                else if (!PassThru)
                    WriteObject(probe);
                else if (probe.Passed)
                    WriteObject(probe.Staple);
                return;
            }
            var result = ParameterSetName == ParameterSets.Result ? InputObject! : CheckFile();
            var verdict = new StapleTestResult(result);
            if (Quiet)
                WriteObject(verdict.Passed);
            else if (PassThru)
            {
                if (verdict.Passed)
                    WriteObject(result);
                else
                    WriteWarning(verdict.ToString());
            }
            else
                WriteObject(verdict);
        },
        onFailure: failure =>
        {
            if (Quiet)
                WriteObject(false);
            else
                WriteFailure(failure, ErrorIdPrefix, (object?)ComputerName ?? Path);
        });

    private OcspResult CheckFile()
    {
        var bundle = CertificateInput.FromPath(this, CertificatePath!, Password);
        return Run(() => StapleFileCheck.CheckAsync(GetUnresolvedProviderPathFromPSPath(Path!), bundle, IssuerOptions(), Cancellation));
    }

    private FetchOptions IssuerOptions() => new()
    {
        Issuers = Issuer != null ? new[] { Issuer } : null,
        TrustedCertificatesFile = FileSystemPath(TrustedCertificate),
        SkipVerification = SkipVerification,
    };
}
