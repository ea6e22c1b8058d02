namespace OcspStapling.Engine.Store;

/// <summary>The stream from a Redis server with <see cref="RedisReplyBounds"/> applied to each chunk before it is handed on.</summary>
internal sealed class BoundedReplyStream : Stream
{
    private readonly Stream _inner;
    private readonly RedisReplyBounds _bounds = new();
    private readonly Action<string> _refused;

    /// <param name="refused">Told the reason before the connection ends: the client's own error says only "socket closed".</param>
    public BoundedReplyStream(Stream inner, Action<string> refused)
    {
        _inner = inner;
        _refused = refused;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Checked(buffer.AsSpan(offset, _inner.Read(buffer, offset, count)));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Checked(buffer.Span[..read]);
    }

    public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _inner.Dispose();
        base.Dispose(disposing);
    }

    // The chunk is refused whole: the client never sees the header that broke the bounds, nor anything after it.
    private int Checked(ReadOnlySpan<byte> chunk)
    {
        if (_bounds.Feed(chunk) is not { } refusal)
            return chunk.Length;
        var reason = $"the server sent {refusal}";
        _refused(reason);
        throw new RedisReplyRefusedException(reason);
    }
}

/// <summary>A reply from the Redis server was over <see cref="RedisReplyBounds"/>; the connection is closed.</summary>
public sealed class RedisReplyRefusedException : IOException
{
    public RedisReplyRefusedException(string message) : base(message) { }
}
