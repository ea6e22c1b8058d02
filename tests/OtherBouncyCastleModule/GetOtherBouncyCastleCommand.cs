using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;
using Org.BouncyCastle.Crypto.Digests;

namespace OtherBouncyCastleModule;

/// <summary>Uses this module's own BouncyCastle and says which copy that was.</summary>
[Cmdlet(VerbsCommon.Get, "OtherBouncyCastle")]
public sealed class GetOtherBouncyCastleCommand : PSCmdlet
{
    protected override void EndProcessing()
    {
        // Real work on the library, so a module bound to a copy without it would fail here, not pass quietly.
        var digest = new Sha256Digest();
        var input = System.Text.Encoding.ASCII.GetBytes("abc");
        digest.BlockUpdate(input, 0, input.Length);
        var output = new byte[digest.GetDigestSize()];
        digest.DoFinal(output, 0);

        var assembly = typeof(Sha256Digest).Assembly;
        WriteObject(new PSObject(new
        {
            Assembly = assembly.GetName().Name,
            // BouncyCastle 2.x keeps assembly version 2.0.0.0 for every release: the release is in the product version.
            Version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0],
            LoadContext = AssemblyLoadContext.GetLoadContext(assembly)!.Name,
            Sha256OfAbc = Convert.ToHexString(output).ToLowerInvariant(),
        }));
    }
}
