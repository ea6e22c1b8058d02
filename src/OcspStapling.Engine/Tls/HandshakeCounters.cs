namespace OcspStapling.Engine.Tls;

/// <summary>The listener's handshake counts, kept by whichever TLS front completes the handshakes.</summary>
internal sealed class HandshakeCounters
{
    private long _completed;
    private long _stapled;
    private long _failed;
    private long _pending;

    public long Completed => Interlocked.Read(ref _completed);

    public long Stapled => Interlocked.Read(ref _stapled);

    public long FailedCount => Interlocked.Read(ref _failed);

    /// <summary>Accepted connections whose handshake has neither completed nor failed yet.</summary>
    public long Pending => Interlocked.Read(ref _pending);

    public void Started() => Interlocked.Increment(ref _pending);

    /// <param name="stapling">The certificate the handshake used had a valid staple (sent to every client that asked).</param>
    public void Succeeded(bool stapling)
    {
        Interlocked.Decrement(ref _pending);
        Interlocked.Increment(ref _completed);
        if (stapling)
            Interlocked.Increment(ref _stapled);
    }

    public void Failed()
    {
        Interlocked.Decrement(ref _pending);
        Interlocked.Increment(ref _failed);
    }
}
