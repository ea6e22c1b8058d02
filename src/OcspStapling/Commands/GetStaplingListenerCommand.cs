using System.Management.Automation;
using OcspStapling.Engine.Tls;

namespace OcspStapling.Commands;

/// <summary>Lists the stapling listeners running in this session.</summary>
[Cmdlet(VerbsCommon.Get, "StaplingListener")]
[OutputType(typeof(StaplingListenerInfo))]
public sealed class GetStaplingListenerCommand : OcspCmdlet
{
    [Parameter(Position = 0)]
    [ArgumentCompleter(typeof(ListenerPortCompleter))]
    public int[]? Port { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var listener in ListenerRegistry.All())
        {
            if (Port == null || Port.Contains(listener.Endpoint.Port))
                WriteObject(new StaplingListenerInfo(listener));
        }
    }
}
