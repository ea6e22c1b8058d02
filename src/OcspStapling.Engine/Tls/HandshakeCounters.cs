namespace OcspStapling.Engine.Tls;

/// <summary>The listener's handshake counts, kept by whichever TLS front completes the handshakes.</summary>
internal sealed class HandshakeCounters
{
    private readonly Func<bool> _stapling;
    private long _completed;
    private long _stapled;
    private long _failed;
    private long _pending;

    /// <param name="stapling">True while a valid staple is installed (sent to every client that asks).</param>
    public HandshakeCounters(Func<bool> stapling) => _stapling = stapling;

    public long Completed => Interlocked.Read(ref _completed);

    public long Stapled => Interlocked.Read(ref _stapled);

    public long FailedCount => Interlocked.Read(ref _failed);

    /// <summary>Accepted connections whose handshake has neither completed nor failed yet.</summary>
    public long Pending => Interlocked.Read(ref _pending);

    public void Started() => Interlocked.Increment(ref _pending);

    public void Succeeded()
    {
        Interlocked.Decrement(ref _pending);
        Interlocked.Increment(ref _completed);
        if (_stapling())
            Interlocked.Increment(ref _stapled);
    }

    public void Failed()
    {
        Interlocked.Decrement(ref _pending);
        Interlocked.Increment(ref _failed);
    }
}
