using System.Management.Automation;
using OcspStapling.Engine.Tls;

namespace OcspStapling.Commands;

/// <summary>Stops stapling listeners: open connections end, the port is freed.</summary>
[Cmdlet(VerbsLifecycle.Stop, "StaplingListener", SupportsShouldProcess = true, DefaultParameterSetName = ParameterSets.Result)]
[OutputType(typeof(StaplingListenerInfo))]
public sealed class StopStaplingListenerCommand : OcspCmdlet
{
    public const string ErrorIdPrefix = "StopStaplingListener";
    public const string NotFound = ErrorIdPrefix + "NotFound";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ParameterSets.Result)]
    public StaplingListenerInfo[] InputObject { get; set; } = Array.Empty<StaplingListenerInfo>();

    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Port)]
    [ArgumentCompleter(typeof(ListenerPortCompleter))]
    public int[] Port { get; set; } = Array.Empty<int>();

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var targets = ParameterSetName == ParameterSets.Port
            ? ListenerRegistry.All().Where(l => Port.Contains(l.Endpoint.Port)).ToArray()
            : InputObject.Select(i => i?.Listener!).ToArray();
        if (ParameterSetName == ParameterSets.Port && targets.Length == 0)
        {
            WriteError(new ErrorRecord(new ItemNotFoundException($"No stapling listener on port {string.Join(", ", Port)} in this session; Get-StaplingListener lists them."),
                NotFound, ErrorCategory.ObjectNotFound, Port));
            return;
        }
        foreach (var listener in targets)
        {
            ForRecord(ErrorIdPrefix, listener, () =>
            {
                if (!ShouldProcess(listener.Endpoint.ToString(), "Stop the stapling listener"))
                    return;
                ListenerRegistry.Remove(listener);
                listener.DisposeAsync().AsTask().GetAwaiter().GetResult();
                if (PassThru)
                    WriteObject(new StaplingListenerInfo(listener));
            });
        }
    }
}
