using System.Globalization;

namespace OcspStapling.Engine;

/// <summary>The engine's options that have a range, by the name the engine gives them; each front end maps them to its flag or parameter.</summary>
public enum OptionName
{
    Timeout,
    MaxResponseBytes,
    ResponderConcurrency,
    Concurrency,
    RunInterval,
    DrainTimeout,
}

/// <summary>
/// An option's default and range, stated once beside the option it limits (as Kestrel's limits are): the option's
/// setter checks its value with it, the front ends map their flag or parameter to it and word a refusal in their own
/// terms, and the parity test holds both front ends to it. The lower bound is exclusive for durations (above zero).
/// </summary>
public sealed record OptionRange<T>(OptionName Name, T Default, T Min, T Max, bool MinExclusive = false)
    where T : IComparable<T>
{
    public bool Contains(T value) =>
        (MinExclusive ? value.CompareTo(Min) > 0 : value.CompareTo(Min) >= 0) && value.CompareTo(Max) <= 0;

    /// <summary>The value, when it is in range; otherwise an error of kind InvalidArgument that names this option.</summary>
    public T Check(T value) => Contains(value)
        ? value
        : throw new StaplingException(FailureReason.InvalidArgument, Text(value), $"The {Words()} must be {RangeText(Text)}, not {Text(value)}.")
        {
            Option = Name,
        };

    /// <summary>The range in words, each bound written by <paramref name="write"/> (a front end's units).</summary>
    public string RangeText(Func<T, string> write) =>
        $"{(MinExclusive ? "above" : "at least")} {write(Min)} and at most {write(Max)}";

    private static string Text(T value) => value switch
    {
        TimeSpan span => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s",
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private string Words() => Name switch
    {
        OptionName.Timeout => "timeout per request",
        OptionName.MaxResponseBytes => "largest response accepted (bytes)",
        OptionName.ResponderConcurrency => "number of requests in flight per responder host",
        OptionName.Concurrency => "number of sites refreshed at once",
        OptionName.RunInterval => "run interval",
        OptionName.DrainTimeout => "drain timeout",
        _ => Name.ToString(),
    };
}
