using OcspStapling.Cli;

// SIGINT/SIGTERM cancel the running command; it then exits with 130 after cleaning up.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
{
    c.Cancel = true;
    cancel.Cancel();
});
return await CliApp.RunAsync(args, Console.Out, Console.Error, cancel.Token);
