using System.Globalization;
using OcspStapling.Engine;

namespace OcspStapling.Cli;

/// <summary>
/// The flag that sets each engine option with a range (<see cref="OptionRange{T}"/>), and the checks that refuse a
/// value out of it in the command line's terms, before anything runs. The ranges and defaults are the options' own.
/// </summary>
internal static class FlagRanges
{
    public static readonly IReadOnlyDictionary<OptionName, string> Flags = new Dictionary<OptionName, string>
    {
        [OptionName.Timeout] = "--timeout",
        [OptionName.MaxResponseBytes] = "--max-size",
        [OptionName.ResponderConcurrency] = "--responder-concurrency",
        [OptionName.Concurrency] = "--concurrency",
        [OptionName.RunInterval] = "--interval",
        [OptionName.DrainTimeout] = "--drain-timeout",
    };

    public static int Whole(OptionRange<int> range, int value) =>
        range.Contains(value) ? value : throw Refused(range.Name, $"a whole number {range.RangeText(n => Number(n))}", Number(value));

    /// <summary>A duration given in seconds (--timeout 2.5).</summary>
    public static TimeSpan Seconds(OptionRange<TimeSpan> range, double seconds)
    {
        if (double.IsFinite(seconds) && seconds is > 0 and <= int.MaxValue && range.Contains(TimeSpan.FromSeconds(seconds)))
            return TimeSpan.FromSeconds(seconds);
        throw Refused(range.Name, $"a number of seconds {range.RangeText(s => Number(s.TotalSeconds))}", Number(seconds));
    }

    /// <summary>A duration written as admins write them (90s, 30m, 1h, 1d).</summary>
    public static TimeSpan Duration(OptionRange<TimeSpan> range, string written)
    {
        var value = Durations.Parse(written, Flags[range.Name]);
        return range.Contains(value) ? value : throw Refused(range.Name, $"a duration {range.RangeText(Durations.Format)}", written);
    }

    private static StaplingException Refused(OptionName option, string allowed, string given) =>
        new(FailureReason.InvalidArgument, Flags[option], $"{Flags[option]} must be {allowed}, not {given}.") { Option = option };

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
