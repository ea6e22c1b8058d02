using System.Diagnostics;

namespace OcspStapling.Engine.Delivery;

/// <summary>
/// Runs the administrator's reload command (e.g. "systemctl reload nginx") through /bin/sh (cmd.exe on Windows),
/// with stdin closed, without the variables named secret (the PFX password), time-limited, its output capped.
/// </summary>
internal static class ReloadCommand
{
    private const int MaxOutputChars = 4096;

    public static async Task RunAsync(string command, TimeSpan timeout, IReadOnlyList<string> hiddenVariables, CancellationToken cancel)
    {
        var info = OperatingSystem.IsWindows()
            ? new ProcessStartInfo("cmd.exe") { ArgumentList = { "/c", command } }
            : new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", command } };
        info.UseShellExecute = false;
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        foreach (var name in hiddenVariables)
            info.Environment.Remove(name);
        using var process = StartOrExplain(info, command);
        process.StandardInput.Close(); // a command that reads stdin sees end of file, never the cron job's terminal
        var output = ReadCappedAsync(process.StandardOutput);
        var error = ReadCappedAsync(process.StandardError);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (cancel.IsCancellationRequested)
                throw;
            throw new StaplingException(FailureReason.InvalidArgument, command, $"The reload command '{command}' did not finish within {timeout.TotalSeconds:0} s and was stopped.");
        }
        if (process.ExitCode != 0)
        {
            var said = $"{await error.ConfigureAwait(false)} {await output.ConfigureAwait(false)}".Trim().ReplaceLineEndings(" ");
            throw new StaplingException(FailureReason.InvalidArgument, command, $"The reload command '{command}' failed with exit code {process.ExitCode}{(said.Length > 0 ? $": {said}" : "")}.");
        }
    }

    private static Process StartOrExplain(ProcessStartInfo info, string command)
    {
        try
        {
            return Process.Start(info) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new StaplingException(FailureReason.InvalidArgument, command, $"Cannot start the reload command '{command}': {e.Message}.", e);
        }
    }

    // Keeps the first few KiB for the message and drains the rest, so a chatty command neither blocks nor fills memory.
    private static async Task<string> ReadCappedAsync(StreamReader reader)
    {
        var kept = new System.Text.StringBuilder();
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            if (kept.Length < MaxOutputChars)
                kept.Append(buffer, 0, Math.Min(read, MaxOutputChars - kept.Length));
        }
        return kept.ToString();
    }
}
