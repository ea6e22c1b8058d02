using System.Runtime.InteropServices;
using OcspStapling.Cli;

// SIGINT and SIGTERM cancel the running command, which then exits 130 or 143 after cleaning up (within 2 s).
var stop = new StopRequest();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Request("interrupted (Ctrl+C)", ExitCodes.Interrupted, Console.Error);
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
{
    c.Cancel = true;
    stop.Request("terminated (SIGTERM)", ExitCodes.Terminated, Console.Error);
});
return await CliApp.RunAsync(args, Console.Out, Console.Error, stop);
