using System.Globalization;
using OcspStapling.Engine;

namespace OcspStapling.Cli;

/// <summary>Durations as admins write them in cron comments and systemd timers: 90s, 30m, 1h, 1d.</summary>
internal static class Durations
{
    public static TimeSpan Parse(string text, string option)
    {
        var unit = text.Length > 0 ? text[^1] : ' ';
        var number = char.IsLetter(unit) ? text[..^1] : text;
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) || value <= 0 || value > 366 * 24 * 3600)
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
        if (seconds > 366 * 86400)
            throw Invalid(text, option);
        return TimeSpan.FromSeconds(seconds);
    }

    private static StaplingException Invalid(string text, string option) =>
        new(FailureReason.InvalidArgument, option, $"{option} '{text}' is not a duration; write it as 90s, 30m, 1h or 1d.");
}
