using System.Diagnostics;

namespace OcspStapling.Engine.Refresh;

/// <summary>Runs the administrator's reload command (e.g. "systemctl reload nginx") through the platform shell.</summary>
internal static class ReloadCommand
{
    public static async Task RunAsync(string command, TimeSpan timeout, CancellationToken cancel)
    {
        var info = OperatingSystem.IsWindows()
            ? new ProcessStartInfo("cmd.exe") { ArgumentList = { "/c", command } }
            : new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", command } };
        info.UseShellExecute = false;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var process = Process.Start(info) ?? throw new StaplingException(FailureReason.InvalidArgument, command, $"Cannot start the reload command '{command}'.");
        var output = process.StandardOutput.ReadToEndAsync(cancel);
        var error = process.StandardError.ReadToEndAsync(cancel);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new StaplingException(FailureReason.InvalidArgument, command, $"The reload command '{command}' did not finish within {timeout.TotalSeconds:0} s.");
        }
        if (process.ExitCode != 0)
            throw new StaplingException(FailureReason.InvalidArgument, command, $"The reload command '{command}' failed with exit code {process.ExitCode}: {(await error + await output).Trim()}");
    }
}
