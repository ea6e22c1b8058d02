namespace OcspStapling;

/// <summary>
/// Pipeline records whose engine work runs concurrently, written back in input order: a record is written as soon as
/// it and every record before it are done, so the first result appears before the last is fetched.
/// </summary>
internal sealed class RecordsInFlight
{
    private readonly Queue<(Task Work, Action Write)> _pending = new();

    /// <summary>Queues <paramref name="work"/>; <paramref name="write"/> runs on the pipeline thread once it is its turn.</summary>
    public void Add(Task work, Action write) => _pending.Enqueue((work, write));

    /// <summary>
    /// Writes the finished records at the head of the queue, waiting for the oldest ones until at most
    /// <paramref name="keepAtMost"/> remain in flight (0 drains them all).
    /// </summary>
    public void WriteFinished(int keepAtMost)
    {
        while (_pending.Count > 0 && (_pending.Count > keepAtMost || _pending.Peek().Work.IsCompleted))
        {
            var (work, write) = _pending.Dequeue();
            // The write observes the outcome (result, failure or cancellation); waiting here is its turn coming.
            ((IAsyncResult)work).AsyncWaitHandle.WaitOne();
            write();
        }
    }
}
