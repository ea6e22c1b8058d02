using System.Collections.Concurrent;
using System.Management.Automation;
using OcspStapling.Engine;
using OcspStapling.Engine.Store;
using OcspStapling.Engine.Operations;

namespace OcspStapling;

/// <summary>
/// What every cmdlet here shares: Ctrl+C cancels the engine call, engine messages reach the pipeline thread,
/// and engine failures become error records with a stable id, category and target.
/// </summary>
public abstract class OcspCmdlet : PSCmdlet
{
    private readonly CancellationTokenSource _stop = new();
    private readonly QueuedLog _log = new();

    /// <summary>Cancelled by Ctrl+C (StopProcessing).</summary>
    protected CancellationToken Cancellation => _stop.Token;

    /// <summary>Engine messages, queued because the engine may report from other threads and PowerShell allows writes only from this one.</summary>
    protected IOperationLog Log => _log;

    /// <summary>Runs one engine call to completion on the pipeline thread, then writes what it reported.</summary>
    protected T Run<T>(Func<Task<T>> engineCall)
    {
        try
        {
            return engineCall().GetAwaiter().GetResult();
        }
        finally
        {
            FlushLog();
        }
    }

    protected void FlushLog()
    {
        while (_log.Messages.TryDequeue(out var message))
        {
            if (message.IsWarning)
                WriteWarning(message.Text);
            else
                WriteVerbose(message.Text);
        }
    }

    /// <summary>A PowerShell path (relative, ~, PSDrive) as a file-system path; null stays null.</summary>
    protected string? FileSystemPath(string? path) => path == null ? null : GetUnresolvedProviderPathFromPSPath(path);

    /// <summary>A store as given: a redis:// URL as it is, a directory resolved like any PowerShell path.</summary>
    protected string StoreLocation(string location) => StapleStores.IsRedis(location) ? location : GetUnresolvedProviderPathFromPSPath(location);

    /// <summary>The CA certificates in a PEM file, trusted for https:// responders; null when no file is named.</summary>
    protected System.Security.Cryptography.X509Certificates.X509Certificate2Collection? ResponderRoots(string? path) =>
        FileSystemPath(path) is { } file ? new(Engine.Certificates.CertificateFile.ReadAll(file).ToArray()) : null;

    /// <summary>
    /// Runs one record's work. Any failure becomes a non-terminating error for that record and the pipeline goes on:
    /// engine failures with their reason's id, anything unexpected with id "&lt;Cmdlet&gt;Internal".
    /// </summary>
    protected void ForRecord(string cmdletId, object? target, Action work, Action<StaplingException>? onFailure = null)
    {
        try
        {
            FaultInjection.Value?.Invoke();
            work();
        }
        catch (StaplingException failure)
        {
            if (onFailure != null)
                onFailure(failure);
            else
                WriteFailure(failure, cmdletId, target);
        }
        catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception e) when (e is not PipelineStoppedException and not OutOfMemoryException)
        {
            WriteError(new ErrorRecord(e, cmdletId + InternalErrorSuffix, ErrorCategory.NotSpecified, target));
        }
        finally
        {
            FlushLog();
        }
    }

    /// <summary>Set by tests to make a record's work fail unexpectedly; flows only with the test's own calls.</summary>
    internal static readonly AsyncLocal<Action?> FaultInjection = new();

    /// <summary>Error ids of unexpected failures end so (SecretManagement's convention).</summary>
    public const string InternalErrorSuffix = "Internal";

    /// <summary>A non-terminating error for one failing record: the pipeline goes on.</summary>
    protected void WriteFailure(StaplingException failure, string cmdletId, object? target) =>
        WriteError(new ErrorRecord(failure, cmdletId + failure.Reason, Category(failure.Reason), target ?? failure.Target));

    protected static ErrorCategory Category(FailureReason reason) => reason switch
    {
        FailureReason.InvalidArgument => ErrorCategory.InvalidArgument,
        FailureReason.CertificateUnreadable or FailureReason.StapleFileUnreadable => ErrorCategory.ReadError,
        FailureReason.IssuerNotFound or FailureReason.NoResponderUrl => ErrorCategory.ObjectNotFound,
        FailureReason.ResponderUnreachable or FailureReason.StoreUnavailable => ErrorCategory.ConnectionError,
        FailureReason.ResponderTimeout => ErrorCategory.OperationTimeout,
        FailureReason.ResponseTooLarge => ErrorCategory.LimitsExceeded,
        _ => ErrorCategory.InvalidResult,
    };

    protected override void StopProcessing() => _stop.Cancel();

    protected override void EndProcessing() => FlushLog();

    // Bounded: a listener started without -Wait keeps logging after the cmdlet has returned and nobody reads.
    private sealed class QueuedLog : IOperationLog
    {
        private const int Capacity = 1000;
        public readonly ConcurrentQueue<(bool IsWarning, string Text)> Messages = new();

        public void Verbose(string message) => Add((false, message));

        public void Warning(string message) => Add((true, message));

        private void Add((bool, string) message)
        {
            Messages.Enqueue(message);
            while (Messages.Count > Capacity)
                Messages.TryDequeue(out _);
        }
    }
}
