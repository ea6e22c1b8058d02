using System.Management.Automation;
using OcspStapling.Engine;
using OcspStapling.Engine.Export;
using OcspStapling.Engine.Operations;

namespace OcspStapling.Commands;

/// <summary>Writes responses as the staple files nginx and HAProxy load, atomically, refusing unfit ones unless -Force.</summary>
[Cmdlet(VerbsData.Export, "OcspStapleFile", SupportsShouldProcess = true, DefaultParameterSetName = ParameterSets.Path)]
[OutputType(typeof(FileInfo))]
public sealed class ExportOcspStapleFileCommand : OcspCmdlet
{
    public const string ErrorIdPrefix = "ExportOcspStapleFile";
    public const string NotFitToStaple = ErrorIdPrefix + "NotFitToStaple";

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public OcspResponseInfo? InputObject { get; set; }

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.Path)]
    public string? Path { get; set; }

    /// <summary>One file per certificate: HAProxy's "&lt;certificate file&gt;.ocsp", or the SHA-256 thumbprint for store certificates.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Directory)]
    public string? Directory { get; set; }

    [Parameter]
    public StapleFormat Format { get; set; } = StapleFormat.Der;

    /// <summary>Write even a response that is not good or failed verification.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => ForRecord(ErrorIdPrefix, InputObject, () =>
    {
        var result = InputObject!.Result;
        var target = GetUnresolvedProviderPathFromPSPath(ParameterSetName == ParameterSets.Path
            ? Path!
            : System.IO.Path.Combine(Directory!, StapleExport.FileNameFor(result, Format)));
        if (!result.IsFitToStaple && !Force)
        {
            var refusal = new StaplingException(FailureReason.InvalidArgument, target,
                $"Not writing '{target}': the response for '{result.Subject}' is not fit to staple ({result.Verification}). Use -Force to write it anyway.");
            WriteError(new ErrorRecord(refusal, NotFitToStaple, ErrorCategory.InvalidData, InputObject));
            return;
        }
        if (!ShouldProcess(target, $"Write {Format} OCSP staple for '{result.Subject}'"))
            return;
        StapleExport.Write(result, target, Format, force: true);
        // What Get-Item gives: the FileInfo with the provider's properties (PSPath, mode…), as Copy-Item -PassThru does.
        if (PassThru)
            WriteObject(InvokeProvider.Item.Get(new[] { target }, force: false, literalPath: true), enumerateCollection: true);
    });
}
