using System.CommandLine;
using System.CommandLine.Parsing;

namespace OcspStapling.Cli;

/// <summary>
/// Words that look like options but name none. System.CommandLine hands an unknown "--stroe" to a command's PATH...
/// argument, so `update live/ --stroe X` would run against the default store and fail late on a "certificate" named
/// --stroe; refused here instead, before anything is fetched or written. A path that starts with '-' is still
/// reachable as ./-name or after "--".
/// </summary>
internal static class UnknownOptions
{
    public static IReadOnlyList<string> In(ParseResult parse)
    {
        var unknown = new List<string>();
        foreach (var token in parse.Tokens)
        {
            if (token.Type == TokenType.DoubleDash)
                break;
            if (token.Type == TokenType.Argument && LooksLikeAnOption(token.Value) && IsCommandArgument(parse, token))
                unknown.Add(token.Value);
        }
        return unknown;
    }

    // "-" alone means stdin to some tools and a negative number is a value: neither is mistaken for an option.
    private static bool LooksLikeAnOption(string word) => word.Length > 1 && word[0] == '-' && !char.IsAsciiDigit(word[1]);

    // An option's single value may start with '-' (--reload '-x' is the user's business); arguments and lists (--sites a b) are checked.
    private static bool IsCommandArgument(ParseResult parse, Token token) =>
        parse.CommandResult.Children.OfType<ArgumentResult>().Any(a => a.Tokens.Contains(token))
        || parse.CommandResult.Children.OfType<OptionResult>().Any(o => o.Option.AllowMultipleArgumentsPerToken && o.Tokens.Contains(token));
}
