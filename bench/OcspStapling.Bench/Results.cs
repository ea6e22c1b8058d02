using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace OcspStapling.Bench;

/// <summary>Keeps bench/RESULTS.md: one section per benchmark, replaced when that benchmark runs again.</summary>
internal static class Results
{
    public static void Write(string path, string title, string body)
    {
        var section = $"## {title}\n\n{Machine()}\n\n{body.Trim()}\n";
        var existing = File.Exists(path) ? File.ReadAllText(path) : "# Benchmark results\n\nEach section is written by `bench/OcspStapling.Bench`; baseline and product are measured in the same run.\n";
        var pattern = new Regex($"## {Regex.Escape(title)}\n.*?(?=\n## |\\z)", RegexOptions.Singleline);
        // An evaluator, not a replacement pattern: a section may hold `$_` (PowerShell) or `$1`, which must stay as written.
        var updated = pattern.IsMatch(existing) ? pattern.Replace(existing, _ => section.TrimEnd('\n')) : existing.TrimEnd('\n') + "\n\n" + section;
        File.WriteAllText(path, updated.TrimEnd('\n') + "\n");
    }

    private static string Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':', 2)[1].Trim()
            : null;
        var openssl = Run("openssl", "version");
        return $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores ({cpu ?? RuntimeInformation.ProcessArchitecture.ToString()}), " +
               $"{RuntimeInformation.OSDescription}, .NET {Environment.Version}, {openssl}.";
    }

    private static string Run(string program, string args)
    {
        try
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(program, args) { RedirectStandardOutput = true })!;
            var text = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return text;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return program + " not found";
        }
    }
}
