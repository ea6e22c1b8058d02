using System.Text.RegularExpressions;
using OcspStapling.Commands;
using OcspStapling.Engine.Operations;
using static OcspStapling.Tests.Module.CmdletMetadata;

using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Module;

/// <summary>The cmdlets as PowerShell will see them: names, parameters, pipeline binding, output types, ShouldProcess.</summary>
public sealed class CmdletMetadataTests
{
    [Fact]
    public void Every_cmdlet_class_is_named_verb_noun_command_in_the_commands_namespace()
    {
        foreach (var type in CmdletTypes)
        {
            Assert.Equal("OcspStapling.Commands", type.Namespace);
            Assert.Equal(CmdletName(type).Replace("-", "") + "Command", type.Name);
        }
    }

    [Fact]
    public void Manifest_exports_exactly_the_compiled_cmdlets()
    {
        var manifest = File.ReadAllText(Path.Combine(RepoRoot.Path, "OcspStapling.psd1"));
        var block = Regex.Match(manifest, @"CmdletsToExport\s*=\s*@\(([^)]*)\)").Groups[1].Value;
        var exported = Regex.Matches(block, "'([^']+)'").Select(m => m.Groups[1].Value).OrderBy(n => n);

        Assert.Equal(CmdletTypes.Select(CmdletName).OrderBy(n => n), exported);
    }

    [Fact]
    public void Each_parameter_set_has_at_most_one_parameter_bound_by_value_from_the_pipeline()
    {
        foreach (var type in CmdletTypes)
        {
            var byValue = ParameterDeclarations(type).Where(d => Named<bool>(d.Parameter, "ValueFromPipeline")).GroupBy(d => SetOf(d.Parameter));
            Assert.All(byValue, set => Assert.Single(set));
        }
    }

    [Fact]
    public void Every_cmdlet_declares_its_output_type()
    {
        foreach (var type in CmdletTypes)
            Assert.NotNull(Attribute(type, "OutputTypeAttribute"));
    }

    [Fact]
    public void Get_OcspResponse_takes_certificates_by_value_and_files_by_property_name()
    {
        var type = typeof(GetOcspResponseCommand);
        var certificate = Attribute(type.GetProperty(nameof(GetOcspResponseCommand.Certificate))!, "ParameterAttribute")!;
        var path = type.GetProperty(nameof(GetOcspResponseCommand.Path))!;

        Assert.True(Named<bool>(certificate, "ValueFromPipeline"));
        Assert.True(Named<bool>(certificate, "Mandatory"));
        Assert.True(Named<bool>(Attribute(path, "ParameterAttribute")!, "ValueFromPipelineByPropertyName"));
        var aliases = Attribute(path, "AliasAttribute")!.ConstructorArguments[0].Value as IReadOnlyCollection<System.Reflection.CustomAttributeTypedArgument>;
        Assert.Contains("FullName", aliases!.Select(a => (string)a.Value!));
        Assert.Equal(typeof(OcspResponseInfo), Attribute(type, "OutputTypeAttribute")!.ConstructorArguments[0].Value is IReadOnlyCollection<System.Reflection.CustomAttributeTypedArgument> types
            ? types.First().Value : null);
        foreach (var name in new[] { "Issuer", "TrustedCertificate", "Responder", "HashAlgorithm", "Nonce", "Method", "TimeoutSec", "Proxy" })
            Assert.NotNull(type.GetProperty(name));
    }

    [Fact]
    public void Export_OcspStapleFile_supports_WhatIf_and_has_Force_and_PassThru()
    {
        var type = typeof(ExportOcspStapleFileCommand);
        Assert.True(Named<bool>(Attribute(type, "CmdletAttribute")!, "SupportsShouldProcess"));
        Assert.Equal("SwitchParameter", type.GetProperty("Force")!.PropertyType.Name);
        Assert.Equal("SwitchParameter", type.GetProperty("PassThru")!.PropertyType.Name);
        Assert.Equal(new[] { ParameterSets.Directory, ParameterSets.Path },
            ParameterDeclarations(type).Select(d => SetOf(d.Parameter)).Where(s => s != "__AllParameterSets").Distinct().OrderBy(s => s));
    }

    [Fact]
    public void Error_ids_are_the_cmdlet_name_and_a_condition()
    {
        Assert.Equal("GetOcspResponse", GetOcspResponseCommand.ErrorIdPrefix);
        Assert.Equal("TestOcspStaple", TestOcspStapleCommand.ErrorIdPrefix);
        Assert.StartsWith("ExportOcspStapleFile", ExportOcspStapleFileCommand.NotFitToStaple);
    }

    [Fact]
    public void Cmdlets_that_do_network_work_cancel_on_Ctrl_C()
    {
        foreach (var type in CmdletTypes)
        {
            var stop = type.GetMethod("StopProcessing", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!;
            Assert.Equal(typeof(OcspCmdlet), stop.DeclaringType);
        }
    }

    [Fact]
    public void Listener_cmdlets_start_from_a_piped_certificate_and_stop_by_pipeline()
    {
        var start = typeof(StartStaplingListenerCommand);
        Assert.True(Named<bool>(Attribute(start, "CmdletAttribute")!, "SupportsShouldProcess"));
        Assert.True(Named<bool>(Attribute(start.GetProperty("Certificate")!, "ParameterAttribute")!, "ValueFromPipeline"));
        Assert.Equal("SwitchParameter", start.GetProperty("Wait")!.PropertyType.Name);
        Assert.True(Named<bool>(Attribute(start.GetProperty("Port")!, "ParameterAttribute")!, "Mandatory"));

        var stop = typeof(StopStaplingListenerCommand);
        Assert.True(Named<bool>(Attribute(stop, "CmdletAttribute")!, "SupportsShouldProcess"));
        Assert.True(Named<bool>(Attribute(stop.GetProperty("InputObject")!, "ParameterAttribute")!, "ValueFromPipeline"));
        Assert.NotNull(typeof(GetStaplingListenerCommand).GetProperty("Port"));
    }

    [Fact]
    public void Test_OcspStaple_probes_a_computer_in_its_own_parameter_set()
    {
        var type = typeof(TestOcspStapleCommand);
        var computer = Attribute(type.GetProperty("ComputerName")!, "ParameterAttribute")!;
        Assert.Equal(ParameterSets.Computer, SetOf(computer));
        Assert.True(Named<bool>(computer, "Mandatory"));
        Assert.True(Named<bool>(computer, "ValueFromPipelineByPropertyName"));
        Assert.Equal(new[] { ParameterSets.Computer, ParameterSets.File, ParameterSets.Result },
            ParameterDeclarations(type).Select(d => SetOf(d.Parameter)).Where(s => s != "__AllParameterSets").Distinct().OrderBy(s => s));
    }

    [Fact]
    public void Update_OcspStaple_takes_certificates_and_paths_from_the_pipeline_and_supports_WhatIf()
    {
        var type = typeof(UpdateOcspStapleCommand);
        Assert.True(Named<bool>(Attribute(type, "CmdletAttribute")!, "SupportsShouldProcess"));
        Assert.True(Named<bool>(Attribute(type.GetProperty("Certificate")!, "ParameterAttribute")!, "ValueFromPipeline"));
        Assert.True(Named<bool>(Attribute(type.GetProperty("Path")!, "ParameterAttribute")!, "ValueFromPipelineByPropertyName"));
        foreach (var name in new[] { "StorePath", "Force", "ExportDirectory", "HAProxy", "HAProxySocket", "ReloadCommand", "Concurrency" })
            Assert.NotNull(type.GetProperty(name));
        Assert.Equal(typeof(SiteStatus), (Attribute(type, "OutputTypeAttribute")!.ConstructorArguments[0].Value as IReadOnlyCollection<System.Reflection.CustomAttributeTypedArgument>)!.First().Value);
    }
}
