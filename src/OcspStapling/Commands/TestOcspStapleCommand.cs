using System.Security;
using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine;
using OcspStapling.Engine.Refresh;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Policy;
using OcspStapling.Engine.Tls;
using OcspStapling.Engine.Transport;

namespace OcspStapling.Commands;

/// <summary>Judges a response (from Get-OcspResponse) or a staple file on disk as a strict client would.</summary>
// No default set, and -CertificatePath checked here rather than marked mandatory: either makes PowerShell settle
// on one set before it sees pipeline input, and an object with only a ComputerName property then fails to bind.
[Cmdlet(VerbsDiagnostic.Test, "OcspStaple")]
[OutputType(typeof(StapleTestInfo), typeof(StapleProbeInfo), typeof(bool), typeof(OcspResponseInfo))]
public sealed class TestOcspStapleCommand : OcspCmdlet
{
    public const string ErrorIdPrefix = "TestOcspStaple";
    public const string CertificatePathMissing = ErrorIdPrefix + "CertificatePathMissing";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ParameterSets.Result)]
    public OcspResponseInfo? InputObject { get; set; }

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.File)]
    [Alias("FullName")]
    public string? Path { get; set; }

    /// <summary>The certificate the staple file is for; needed with -Path (see the note on the class).</summary>
    [Parameter(ParameterSetName = ParameterSets.File)]
    public string? CertificatePath { get; set; }

    /// <summary>The password of a PFX -CertificatePath.</summary>
    [Parameter(ParameterSetName = ParameterSets.File)]
    public SecureString? Password { get; set; }

    /// <summary>Probe what this server staples (TLS 1.2 ClientHello with status_request).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.Computer)]
    [Alias("HostName", "DnsName")]
    public string? ComputerName { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.Computer)]
    [ValidateRange(1, 65535)]
    public int Port { get; set; } = 443;

    /// <summary>SNI name to send; the computer name by default.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.Computer)]
    public string? ServerName { get; set; }

    [Parameter(ParameterSetName = ParameterSets.Computer)]
    [ValidateRange(1, TransportOptions.MaxTimeoutSeconds)]
    public int TimeoutSec { get; set; } = TransportOptions.DefaultTimeoutSeconds;

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

    /// <summary>Servers probed at once across pipeline input (-ComputerName by property name).</summary>
    [Parameter(ParameterSetName = ParameterSets.Computer)]
    [ValidateRange(1, RefreshOptions.MaxConcurrency)] // the bounds of Update-OcspStaple's sites at once: the same work
    public int Concurrency { get; set; } = RefreshOptions.DefaultConcurrency;

    protected override void ProcessRecord()
    {
        // Checked per record: a -Path bound from the pipeline settles the set only now.
        if (ParameterSetName == ParameterSets.File && CertificatePath == null)
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException("Test-OcspStaple -Path needs -CertificatePath: the certificate (with its chain) that the staple file is for."),
                CertificatePathMissing, ErrorCategory.InvalidArgument, Path));
        var target = (object?)ComputerName ?? Path;
        if (ParameterSetName == ParameterSets.Computer)
        {
            var (host, port, serverName) = (ComputerName!, Port, ServerName);
            StartRecord(ErrorIdPrefix, target, Concurrency,
                () => StapleProbe.ProbeAsync(host, port, serverName, IssuerOptions(), TimeSpan.FromSeconds(TimeoutSec), Cancellation),
                WriteProbe, failure => WriteFailureOrFalse(failure, target));
            return;
        }
        // A response in hand or a file on disk is judged at once: nothing to overlap.
        StartRecord(ErrorIdPrefix, target, 1,
            () => Task.FromResult(ParameterSetName == ParameterSets.Result ? InputObject!.Result : CheckFile()),
            WriteVerdict, failure => WriteFailureOrFalse(failure, target));
    }

    private void WriteProbe(ProbeResult probe)
    {
        var info = new StapleProbeInfo(probe);
        if (Quiet)
            WriteObject(info.Passed);
        else if (!PassThru)
            WriteObject(info);
        else if (probe.Verdict == StapleCheck.Good)
            WriteObject(info.Staple);
    }

    private void WriteVerdict(OcspResult result)
    {
        var verdict = new StapleTestInfo(result);
        if (Quiet)
            WriteObject(verdict.Passed);
        else if (PassThru)
        {
            if (verdict.Passed)
                WriteObject(verdict.Response);
            else
                WriteWarning(verdict.ToString());
        }
        else
            WriteObject(verdict);
    }

    // The target is the record's own: by the time a probe's outcome is written, later input may be bound.
    private void WriteFailureOrFalse(StaplingException failure, object? target)
    {
        if (Quiet)
            WriteObject(false);
        else
            WriteFailure(failure, ErrorIdPrefix, target);
    }

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
