using System.Reflection;
using System.Runtime.Loader;

// Usage: IsolationProbe MODULE_DIR OTHER_BOUNCYCASTLE_DLL RESPONSE_DER [LEAF_PFX ISSUER_CER]
var moduleDir = args[0];
var otherBouncyCastle = AssemblyLoadContext.Default.LoadFromAssemblyPath(Path.GetFullPath(args[1]));
Console.WriteLine($"default context holds {otherBouncyCastle.GetName().Name} {otherBouncyCastle.GetName().Version}");

// What Import-Module does: load the module assembly, run its IModuleAssemblyInitializer.
var module = Assembly.LoadFrom(Path.Combine(moduleDir, "OcspStapling.dll"));
var initializer = (System.Management.Automation.IModuleAssemblyInitializer)Activator.CreateInstance(module.GetType("OcspStapling.ModuleInitializer")!)!;
initializer.OnImport();

// What a cmdlet does: use an engine type by name from the default context.
var decoder = Type.GetType("OcspStapling.Engine.Protocol.OcspResponseDecoder, OcspStapling.Engine", throwOnError: true)!;
var response = decoder.GetMethod("Decode")!.Invoke(null, new object[] { File.ReadAllBytes(args[2]) })!;
Console.WriteLine($"engine context {AssemblyLoadContext.GetLoadContext(decoder.Assembly)!.Name}");
Console.WriteLine($"response status {response.GetType().GetProperty("Status")!.GetValue(response)}");
var engineBouncyCastle = AssemblyLoadContext.GetLoadContext(decoder.Assembly)!.Assemblies.First(a => a.GetName().Name == "BouncyCastle.Crypto");
Console.WriteLine($"engine uses {engineBouncyCastle.GetName().Name} {engineBouncyCastle.GetName().Version}");

// With a leaf (PFX) and its issuer: what Start-StaplingListener does, then a probe of it, all inside the module's context.
if (args.Length >= 5)
{
    var engine = decoder.Assembly;
    using var leaf = new System.Security.Cryptography.X509Certificates.X509Certificate2(args[3], (string?)null, System.Security.Cryptography.X509Certificates.X509KeyStorageFlags.Exportable);
    using var issuer = new System.Security.Cryptography.X509Certificates.X509Certificate2(args[4]);
    var optionsType = engine.GetType("OcspStapling.Engine.Tls.ListenerOptions", throwOnError: true)!;
    var options = Activator.CreateInstance(optionsType)!;
    var servedType = engine.GetType("OcspStapling.Engine.Tls.ServedCertificate", throwOnError: true)!;
    var served = Array.CreateInstance(servedType, 1);
    served.SetValue(Activator.CreateInstance(servedType, leaf, new System.Security.Cryptography.X509Certificates.X509Certificate2Collection(issuer)), 0);
    optionsType.GetProperty("Certificates")!.SetValue(options, served);
    optionsType.GetProperty("StapleFile")!.SetValue(options, Path.GetFullPath(args[2]));
    var listenerType = engine.GetType("OcspStapling.Engine.Tls.StaplingListener", throwOnError: true)!;
    var listener = await Awaited(listenerType.GetMethod("StartAsync")!.Invoke(null, new object?[] { options, null, CancellationToken.None })!);
    Console.WriteLine($"listener TLS by {listenerType.GetProperty("TlsImplementation")!.GetValue(listener)}, staple {listenerType.GetProperty("StapleStatus")!.GetValue(listener)}");
    var endpoint = (System.Net.IPEndPoint)listenerType.GetProperty("Endpoint")!.GetValue(listener)!;
    var fetchDefault = engine.GetType("OcspStapling.Engine.Operations.FetchOptions", throwOnError: true)!.GetField("Default")!.GetValue(null);
    var probe = await Awaited(engine.GetType("OcspStapling.Engine.Tls.StapleProbe", throwOnError: true)!.GetMethod("ProbeAsync")!
        .Invoke(null, new object?[] { "127.0.0.1", endpoint.Port, "isolation.example.test", fetchDefault, TimeSpan.FromSeconds(10), CancellationToken.None })!);
    var staple = probe.GetType().GetProperty("Staple")!.GetValue(probe);
    Console.WriteLine($"probe saw {(staple == null ? "no staple" : "a staple: " + staple.GetType().GetProperty("CertStatus")!.GetValue(staple))}");
    await ((IAsyncDisposable)listener).DisposeAsync();
}

static async Task<object> Awaited(object task)
{
    await (Task)task;
    return task.GetType().GetProperty("Result")!.GetValue(task)!;
}
