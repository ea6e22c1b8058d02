using System.Reflection;
using System.Runtime.Loader;

// Usage: IsolationProbe MODULE_DIR OTHER_BOUNCYCASTLE_DLL RESPONSE_DER
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
