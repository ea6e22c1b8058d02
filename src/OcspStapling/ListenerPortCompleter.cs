using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace OcspStapling;

/// <summary>Tab completion for -Port of Get- and Stop-StaplingListener: the ports this session's listeners hold.</summary>
public sealed class ListenerPortCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        ListenerRegistry.All()
            .Select(l => l.Endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Where(port => port.StartsWith(wordToComplete, StringComparison.Ordinal))
            .Distinct()
            .Select(port => new CompletionResult(port, port, CompletionResultType.ParameterValue, $"the stapling listener on port {port}"));
}
