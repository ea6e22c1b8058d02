using System.Management.Automation;
using OcspStapling.Engine;

namespace OcspStapling;

/// <summary>
/// The parameter that sets each engine option with a range (<see cref="OptionRange{T}"/>). Whole numbers are held to
/// their range by ValidateRange attributes built from the options' constants; durations, which an attribute cannot
/// bound, are checked here and refused in the cmdlets' terms.
/// </summary>
internal static class ParameterRanges
{
    public static readonly IReadOnlyDictionary<OptionName, string> Parameters = new Dictionary<OptionName, string>
    {
        [OptionName.Timeout] = "TimeoutSec",
        [OptionName.MaxResponseBytes] = "MaximumResponseBytes",
        [OptionName.ResponderConcurrency] = "ResponderConcurrency",
        [OptionName.Concurrency] = "Concurrency",
        [OptionName.RunInterval] = "Interval",
        [OptionName.DrainTimeout] = "DrainTimeout",
    };

    /// <summary>Refuses a duration out of its option's range before the cmdlet reads or writes anything.</summary>
    public static void Check(PSCmdlet cmdlet, string errorIdPrefix, OptionRange<TimeSpan> range, TimeSpan value)
    {
        if (range.Contains(value))
            return;
        var parameter = "-" + Parameters[range.Name];
        var refusal = new StaplingException(FailureReason.InvalidArgument, parameter,
            $"{parameter} must be {range.RangeText(Written)}, not {Written(value)}.") { Option = range.Name };
        cmdlet.ThrowTerminatingError(new ErrorRecord(refusal, errorIdPrefix + refusal.Reason, ErrorCategory.InvalidArgument, value));
    }

    // As PowerShell writes a TimeSpan: 01:00:00, 366.00:00:00.
    private static string Written(TimeSpan value) => value.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
}
