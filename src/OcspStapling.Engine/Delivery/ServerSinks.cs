using OcspStapling.Engine.Operations;

namespace OcspStapling.Engine.Delivery;

/// <summary>The servers a run tells at its end, in order (HAProxy before a reload that may restart it), each with its own state.</summary>
internal static class ServerSinks
{
    /// <param name="stateDirectory">Where this host keeps what each sink delivered.</param>
    /// <param name="filesCovered">What the run's file exports are (directory, beside the certificates): part of a reload's identity.</param>
    public static IReadOnlyList<IServerSink> For(string? haproxySocket, string? reloadCommand, IReadOnlyList<string> hiddenVariables,
        string stateDirectory, string filesCovered, IOperationLog log)
    {
        var sinks = new List<IServerSink>();
        if (haproxySocket != null)
            sinks.Add(new HaproxySink(haproxySocket, DeliveryState.For(stateDirectory, "haproxy", Path.GetFullPath(haproxySocket)), log));
        if (reloadCommand != null)
            sinks.Add(new ReloadSink(reloadCommand, hiddenVariables, DeliveryState.For(stateDirectory, "reload", $"{reloadCommand}\n{filesCovered}"), log));
        return sinks;
    }
}
