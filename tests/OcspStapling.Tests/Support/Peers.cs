namespace OcspStapling.Tests.Support;

/// <summary>Finding the real peer programs the tests drive.</summary>
public static class Peers
{
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static IReadOnlyList<string> Missing(IEnumerable<string> programs) => programs.Where(p => Find(p) == null).ToList();

    public static string? Find(string program)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(':').Concat(new[] { "/usr/sbin", "/sbin" }))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }

    public static string Require(string program) =>
        Find(program) ?? throw new InvalidOperationException($"{program} is not installed (apt-get install -y {DebianPackage(program)})");

    public static string DebianPackage(string program) => program switch
    {
        "nginx" => "nginx-light",
        "gnutls-cli" or "ocsptool" => "gnutls-bin",
        "cfssl" => "golang-cfssl",
        _ => program,
    };
}
