using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace OcspStapling;

/// <summary>
/// On Import-Module, routes the engine (which the module's own folder does not hold) to <see cref="DependencyLoadContext"/>:
/// when the default context fails to find it, the Resolving event hands it the engine loaded in our context.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer
{
    private static readonly Lazy<DependencyLoadContext> Context = new(() => new DependencyLoadContext(DependencyLoadContext.DefaultDirectory));

    public void OnImport() => AssemblyLoadContext.Default.Resolving += Resolve;

    private static Assembly? Resolve(AssemblyLoadContext requester, AssemblyName name) =>
        // Only the engine is handed out; BouncyCastle is then resolved inside our context, invisible to the session.
        name.Name == "OcspStapling.Engine" && Context.Value.Owns(name) ? Context.Value.LoadFromAssemblyName(name) : null;
}
