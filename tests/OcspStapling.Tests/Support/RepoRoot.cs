namespace OcspStapling.Tests.Support;

public static class RepoRoot
{
    /// <summary>The checkout's top folder, found from the test binary upwards.</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(System.IO.Path.Combine(dir.FullName, "OcspStapling.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("OcspStapling.sln not found above " + AppContext.BaseDirectory);
    }
}
