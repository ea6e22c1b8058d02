using OcspStapling.Engine.Tls;

namespace OcspStapling;

/// <summary>The listeners this PowerShell process started, for Get- and Stop-StaplingListener.</summary>
internal static class ListenerRegistry
{
    private static readonly List<StaplingListener> Running = new();

    public static void Add(StaplingListener listener)
    {
        lock (Running)
            Running.Add(listener);
    }

    public static IReadOnlyList<StaplingListener> All()
    {
        lock (Running)
            return Running.ToList();
    }

    public static bool Remove(StaplingListener listener)
    {
        lock (Running)
            return Running.Remove(listener);
    }
}
