using System.Globalization;
using OcspStapling.Engine;

namespace OcspStapling.Cli;

/// <summary>
/// Durations as admins write them in cron comments and systemd timers: 90s, 30m, 1h, 1d. Zero is a duration; whether
/// an option allows it is the option's range (<see cref="FlagRanges"/>).
/// </summary>
internal static class Durations
{
    public static TimeSpan Parse(string text, string option)
    {
        var unit = text.Length > 0 ? text[^1] : ' ';
        var number = char.IsLetter(unit) ? text[..^1] : text;
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) || value < 0 || value > 3660 * 24 * 3600)
            throw Invalid(text, option);
        var seconds = unit switch
        {
            's' => value,
            'm' => value * 60,
            'h' => value * 3600,
            'd' => value * 86400,
            _ when char.IsDigit(unit) => value,
            _ => throw Invalid(text, option),
        };
        if (seconds > 3660 * 86400) // ten years: beyond that no range of ours reaches; FromSeconds stays far from overflow
            throw Invalid(text, option);
        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>The shortest way to write a duration in the units <see cref="Parse"/> reads (3600 s: 1h).</summary>
    public static string Format(TimeSpan value) =>
        value == TimeSpan.Zero ? "0s"
        : value.TotalSeconds % 86400 == 0 ? $"{value.TotalDays:0}d"
        : value.TotalSeconds % 3600 == 0 ? $"{value.TotalHours:0}h"
        : value.TotalSeconds % 60 == 0 ? $"{value.TotalMinutes:0}m"
        : $"{value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s";

    private static StaplingException Invalid(string text, string option) =>
        new(FailureReason.InvalidArgument, option, $"{option} '{text}' is not a duration; write it as 90s, 30m, 1h or 1d.");
}
