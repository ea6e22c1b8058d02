using System.Management.Automation;
using System.Management.Automation.Host;
using System.Reflection;
using System.Runtime.Loader;

namespace OcspStapling;

/// <summary>
/// On Import-Module, routes the engine (which the module's own folder does not hold) to <see cref="DependencyLoadContext"/>:
/// when the default context fails to find it, the Resolving event hands it the engine loaded in our context.
/// On Remove-Module, unhooks that and stops the listeners this session started, so nothing keeps running unseen.
/// </summary>
/// <remarks>
/// PowerShell loads every public type of the module DLL before it calls <see cref="OnImport"/>, so those types may
/// hold no engine type in their layout (enums live in OcspStapling.Types, in the default context, for that reason).
/// </remarks>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    // One context for the process: importing again after Remove-Module reuses the engine already loaded in it.
    private static readonly Lazy<DependencyLoadContext> Context = new(() => new DependencyLoadContext(DependencyLoadContext.DefaultDirectory));
    private static int _hooked;

    public void OnImport()
    {
        // Import-Module -Force calls this again without Remove-Module: one handler, whatever the count of imports.
        if (Interlocked.Exchange(ref _hooked, 1) == 0)
            AssemblyLoadContext.Default.Resolving += Resolve;
    }

    public void OnRemove(PSModuleInfo module)
    {
        // Listeners first: stopping them may still need the engine resolved.
        StopListeners();
        if (Interlocked.Exchange(ref _hooked, 0) == 1)
            AssemblyLoadContext.Default.Resolving -= Resolve;
    }

    private static Assembly? Resolve(AssemblyLoadContext requester, AssemblyName name) =>
        // Only the engine is handed out; BouncyCastle is then resolved inside our context, invisible to the session.
        name.Name == "OcspStapling.Engine" && Context.Value.Owns(name) ? Context.Value.LoadFromAssemblyName(name) : null;

    // A listener outliving its module would hold its port with no cmdlet left to stop it.
    private static void StopListeners()
    {
        foreach (var listener in ListenerRegistry.All())
        {
            ListenerRegistry.Remove(listener);
            listener.DisposeAsync().AsTask().GetAwaiter().GetResult();
            Warn($"Remove-Module stopped the stapling listener on {listener.Endpoint}.");
        }
    }

    // Remove-Module gives the module no cmdlet to write through; the session's host is where the user looks. A nested
    // pipeline is the one way to reach it from Remove-Module's own thread (SessionStateProxy refuses while it runs).
    private static void Warn(string message)
    {
        using var shell = PowerShell.Create(RunspaceMode.CurrentRunspace);
        if (shell.AddScript("$Host").Invoke().FirstOrDefault()?.BaseObject is PSHost host)
            host.UI.WriteWarningLine(message);
    }
}
