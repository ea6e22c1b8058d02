using System.Reflection;
using System.Runtime.Loader;

namespace OcspStapling;

/// <summary>
/// Loads the engine and BouncyCastle from the module's Dependencies/ folder into a context of their own, so a session
/// that already holds another BouncyCastle (Posh-ACME ships one) can still import this module, and ours cannot
/// break theirs. See "Resolving PowerShell module assembly dependency conflicts" in the PowerShell docs.
/// </summary>
public sealed class DependencyLoadContext : AssemblyLoadContext
{
    private readonly string _directory;

    public DependencyLoadContext(string directory)
        : base("OcspStapling.Dependencies", isCollectible: false)
    {
        _directory = directory;
    }

    /// <summary>The folder beside the module DLL that holds the engine and its dependencies.</summary>
    public static string DefaultDirectory => Path.Combine(Path.GetDirectoryName(typeof(DependencyLoadContext).Assembly.Location)!, "Dependencies");

    /// <summary>True for the assemblies this context owns rather than the default context.</summary>
    public bool Owns(AssemblyName name) => name.Name != null && File.Exists(PathOf(name));

    protected override Assembly? Load(AssemblyName name) =>
        // Only what Dependencies/ holds; everything else (the runtime, PowerShell) comes from the default context.
        Owns(name) ? LoadFromAssemblyPath(PathOf(name)) : null;

    private string PathOf(AssemblyName name) => Path.Combine(_directory, name.Name + ".dll");
}
