using System.CommandLine;
using System.Management.Automation;
using OcspStapling.Cli;
using OcspStapling.Engine;
using OcspStapling.Engine.Refresh;
using OcspStapling.Engine.Tls;
using OcspStapling.Engine.Transport;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Module;

/// <summary>
/// Each engine option with a range states its default and bounds once (<see cref="OptionRange{T}"/>); both front ends
/// map a flag and a parameter to it, and are held here to its default and bounds, both ways: the CLI refuses just
/// outside and takes the bounds, the cmdlets' ValidateRange and defaults are the option's.
/// </summary>
public sealed class OptionRangeParityTests
{
    /// <summary>Every ranged option, with a command line that reaches its check before anything is read or fetched.</summary>
    private static readonly Dictionary<OptionName, (object Range, string[] Before)> Options = new()
    {
        [OptionName.Timeout] = (TransportOptions.TimeoutRange, new[] { "update", "/nonexistent/certs" }),
        [OptionName.MaxResponseBytes] = (TransportOptions.MaxResponseBytesRange, new[] { "update", "/nonexistent/certs" }),
        [OptionName.ResponderConcurrency] = (TransportOptions.MaxInFlightPerResponderRange, new[] { "update", "/nonexistent/certs" }),
        [OptionName.Concurrency] = (RefreshOptions.ConcurrencyRange, new[] { "update", "/nonexistent/certs" }),
        [OptionName.RunInterval] = (RefreshOptions.RunIntervalRange, new[] { "status", "/nonexistent/certs" }),
        [OptionName.DrainTimeout] = (ListenerOptions.DrainTimeoutRange, new[] { "listen", "--port", "0", "--cert", "/nonexistent/cert.pem" }),
    };

    public static TheoryData<OptionName> Names => new(Enum.GetValues<OptionName>());

    [Fact]
    public void Every_ranged_option_has_a_flag_and_a_parameter_and_nothing_else_does()
    {
        Assert.Equal(Enum.GetValues<OptionName>().Order(), FlagRanges.Flags.Keys.Order());
        Assert.Equal(Enum.GetValues<OptionName>().Order(), ParameterRanges.Parameters.Keys.Order());
        Assert.Equal(Enum.GetValues<OptionName>().Order(), Options.Keys.Order());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void The_command_line_defaults_to_the_options_default(OptionName name)
    {
        var flag = FlagRanges.Flags[name];
        var root = CliApp.Build(new CliContext(TextWriter.Null, TextWriter.Null, new StopRequest())).Root;
        var offered = root.Subcommands.SelectMany(c => c.Options).Where(o => o.Name == flag).ToList();
        Assert.NotEmpty(offered);
        foreach (var option in offered)
            Assert.Equal(Written(name, Default(name)), option.GetDefaultValue()?.ToString());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task The_command_line_refuses_a_value_just_outside_the_range_and_takes_the_bounds(OptionName name)
    {
        var (_, before) = Options[name];
        var flag = FlagRanges.Flags[name];
        foreach (var outside in Outside(name))
        {
            var refused = await CliRunner.RunAsync(before.Append(flag).Append(outside).ToArray());
            Assert.Equal(2, refused.ExitCode);
            Assert.StartsWith($"ocspstaple: {flag} must be ", refused.StdErr.Trim());
            Assert.Contains($"not {outside}.", refused.StdErr);
        }
        foreach (var bound in Inside(name))
        {
            var taken = await CliRunner.RunAsync(before.Append(flag).Append(bound).ToArray());
            Assert.DoesNotContain($"{flag} ", taken.StdErr); // refused later for the missing file, not for this value
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Each_cmdlet_with_the_parameter_holds_the_options_default_and_whole_number_bounds(OptionName name)
    {
        var parameter = ParameterRanges.Parameters[name];
        var cmdlets = CmdletMetadata.CmdletTypes.Where(t => CmdletMetadata.Parameters(t).Any(p => p.Name == parameter)).ToList();
        Assert.NotEmpty(cmdlets);
        foreach (var cmdlet in cmdlets)
        {
            var property = CmdletMetadata.Parameters(cmdlet).Single(p => p.Name == parameter);
            var value = property.GetValue(Activator.CreateInstance(cmdlet));
            var validate = ValidateRange(property);
            switch (Options[name].Range)
            {
                case OptionRange<int> range:
                    Assert.Equal(range.Default, value);
                    Assert.NotNull(validate);
                    Assert.Equal((range.Min, range.Max), (Convert.ToInt32(validate!.Value.Min), Convert.ToInt32(validate.Value.Max)));
                    break;
                case OptionRange<TimeSpan> range when value is int seconds: // -TimeoutSec: whole seconds
                    Assert.Equal(range.Default, TimeSpan.FromSeconds(seconds));
                    Assert.NotNull(validate);
                    Assert.Equal(range.MinExclusive ? range.Min.TotalSeconds + 1 : range.Min.TotalSeconds, Convert.ToDouble(validate!.Value.Min));
                    Assert.Equal(range.Max.TotalSeconds, Convert.ToDouble(validate.Value.Max));
                    break;
                case OptionRange<TimeSpan> range: // a TimeSpan parameter: bounded by ParameterRanges.Check, tested in Pester
                    Assert.Equal(range.Default, value);
                    Assert.Null(validate);
                    break;
            }
        }
    }

    // Read from the metadata: the test runs against PowerShellStandard's reference assembly, whose attributes are empty.
    private static (object Min, object Max)? ValidateRange(System.Reflection.PropertyInfo property) =>
        property.GetCustomAttributesData().Where(a => a.AttributeType.Name == nameof(ValidateRangeAttribute))
            .Select(a => ((object, object)?)(a.ConstructorArguments[0].Value!, a.ConstructorArguments[1].Value!)).SingleOrDefault();

    private static object Default(OptionName name) => Options[name].Range switch
    {
        OptionRange<int> range => range.Default,
        OptionRange<TimeSpan> range => range.Default,
        _ => throw new InvalidOperationException(),
    };

    private static IEnumerable<string> Outside(OptionName name) => Options[name].Range switch
    {
        OptionRange<int> range => new[] { range.Min - 1 }.Concat(range.Max < int.MaxValue ? new[] { range.Max + 1 } : Array.Empty<int>()).Select(v => v.ToString()),
        OptionRange<TimeSpan> range => new[] { range.MinExclusive ? range.Min : range.Min - TimeSpan.FromSeconds(1), range.Max + TimeSpan.FromSeconds(1) }
            .Where(v => v >= TimeSpan.Zero).Select(v => Written(name, v)).Append(Written(name, range.Max + TimeSpan.FromDays(1))),
        _ => throw new InvalidOperationException(),
    };

    private static IEnumerable<string> Inside(OptionName name) => Options[name].Range switch
    {
        OptionRange<int> range => new[] { range.Min, range.Max }.Select(v => v.ToString()),
        OptionRange<TimeSpan> range => new[] { range.MinExclusive ? range.Min + TimeSpan.FromSeconds(1) : range.Min, range.Max }.Select(v => Written(name, v)),
        _ => throw new InvalidOperationException(),
    };

    // As the command line writes the option's value: seconds for --timeout, a duration for the others.
    private static string Written(OptionName name, object value) => value switch
    {
        TimeSpan span when name == OptionName.Timeout => span.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        TimeSpan span => Durations.Format(span),
        _ => value.ToString()!,
    };
}
