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
public abstract class OcspCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly QueuedLog _log = new();
    private readonly RecordsInFlight _inFlight = new();

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

    /// <summary>
    /// Starts one record's engine work and lets up to <paramref name="concurrency"/> run at once across pipeline input;
    /// outcomes are written in input order (<paramref name="write"/> for a result, else as <see cref="ForRecord"/> does).
    /// Call <see cref="WriteRecordsInFlight"/> with 0 in EndProcessing.
    /// </summary>
    protected void StartRecord<T>(string cmdletId, object? target, int concurrency, Func<Task<T>> start, Action<T> write,
        Action<StaplingException>? onFailure = null)
    {
        Task<T> work;
        try
        {
            work = start();
        }
        catch (Exception e)
        {
            // A failure before the work started (an unreadable file) takes its turn like any other outcome.
            work = Task.FromException<T>(e);
        }
        _inFlight.Add(work, () => ForRecord(cmdletId, target, () => write(work.GetAwaiter().GetResult()), onFailure));
        WriteRecordsInFlight(concurrency - 1);
    }

    /// <summary>Writes finished records in order, waiting until at most <paramref name="keepAtMost"/> are in flight.</summary>
    protected void WriteRecordsInFlight(int keepAtMost) => _inFlight.WriteFinished(keepAtMost);

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
        FailureReason.StoreLocked => ErrorCategory.ResourceBusy,
        FailureReason.ResponderTimeout => ErrorCategory.OperationTimeout,
        FailureReason.ResponseTooLarge => ErrorCategory.LimitsExceeded,
        _ => ErrorCategory.InvalidResult,
    };

    protected override void StopProcessing() => _stop.Cancel();

    // PowerShell disposes a cmdlet when its pipeline ends, also when -ErrorAction Stop or an error downstream ended it
    // early: work still in flight is cancelled, not left running for nobody.
    public void Dispose() => _stop.Cancel();

    protected override void EndProcessing()
    {
        WriteRecordsInFlight(0);
        FlushLog();
    }

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
