using System.Runtime.CompilerServices;

namespace OcspStapling.Tests.Support;

/// <summary>
/// The suite never touches the store or state of whoever runs it: before any test, the XDG directories and
/// OCSPSTAPLE_STORE point into one empty directory of this run, and every `ocspstaple` the tests start (in-process
/// or as a child, which inherits the environment) uses it when a test names no store. HOME stays: the SDK and NuGet
/// that some tests run keep their caches there.
/// </summary>
internal static class IsolatedHome
{
    public static string Root { get; } = Path.Combine(Path.GetTempPath(), $"ocspstaple-tests-{Environment.ProcessId}-{Guid.NewGuid():N}");

    /// <summary>The store a command uses when a test gives none; a test may look at it, nothing outside the run sees it.</summary>
    public static string DefaultStore => Path.Combine(Root, "default-store");

    [ModuleInitializer]
    internal static void Isolate()
    {
        Directory.CreateDirectory(Root);
        Environment.SetEnvironmentVariable("XDG_DATA_HOME", Path.Combine(Root, ".local", "share"));
        Environment.SetEnvironmentVariable("XDG_STATE_HOME", Path.Combine(Root, ".local", "state"));
        Environment.SetEnvironmentVariable("OCSPSTAPLE_STORE", DefaultStore);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => RemoveQuietly();
    }

    // Best effort: a child still running at exit may hold a file; /tmp is cleaned anyway.
    private static void RemoveQuietly()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
