using System.Text.Json;
using OcspStapling.Cli;

namespace OcspStapling.Tests.Support;

/// <summary>What `ocspstaple` printed and returned, run in-process.</summary>
public sealed record CliOutcome(int ExitCode, string StdOut, string StdErr)
{
    public JsonElement Json => JsonDocument.Parse(StdOut).RootElement;

    /// <summary>get, export, test: the one response the JSON report holds.</summary>
    public JsonElement Response => Json.GetProperty("responses")[0];

    /// <summary>update, status: the sites of the JSON report.</summary>
    public IReadOnlyList<JsonElement> Sites => Json.GetProperty("sites").EnumerateArray().ToList();

    public IReadOnlyList<string> FindingCodes =>
        Json.GetProperty("responses") is { ValueKind: JsonValueKind.Array } responses && responses.GetArrayLength() > 0
            ? Response.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("code").GetString()!).ToList()
            : new List<string>();

    public override string ToString() => $"exit {ExitCode}\nstdout: {StdOut}\nstderr: {StdErr}";
}

public static class CliRunner
{
    public static async Task<CliOutcome> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CliApp.RunAsync(args, output, error);
        return new CliOutcome(code, output.ToString(), error.ToString());
    }
}
