using System.Net.Sockets;

namespace OcspStapling.Engine.Tls.OpenSsl;

/// <summary>
/// An authenticated connection from the <see cref="HandshakeLoop"/> as a Stream, for the status page and the
/// forwarder. OpenSSL reads the socket directly; what it writes goes to a memory BIO that is sent with the socket's
/// own async send, so a full send buffer waits instead of failing. One SSL object is not safe for concurrent use,
/// so every libssl call on it holds <see cref="_gate"/>; sends are ordered by <see cref="_sending"/>.
/// </summary>
internal sealed class OpenSslStream : Stream
{
    private const int SendChunkBytes = 64 * 1024;

    private readonly Socket _socket;
    private readonly IntPtr _writeBio;
    private readonly object _gate = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly byte[] _sendBuffer = new byte[SendChunkBytes];
    private readonly byte[] _firstBytes;
    private readonly SslHandle _ssl;
    private int _firstBytesUsed;
    private int _disposed;

    /// <summary>Takes over the descriptor and the SSL object; when it throws, the caller still owns both.</summary>
    public OpenSslStream(int fd, SslHandle ssl, byte[] firstBytes)
    {
        _writeBio = LibSsl.BIO_new(LibSsl.BIO_s_mem());
        if (_writeBio == IntPtr.Zero)
            throw new IOException($"OpenSSL could not make a memory BIO: {LibSsl.TakeErrors()}");
        var handle = new SafeSocketHandle((IntPtr)fd, ownsHandle: true);
        try
        {
            _socket = new Socket(handle);
        }
        catch
        {
            handle.SetHandleAsInvalid(); // the loop closes the descriptor; a finalizer must not close it again later
            LibSsl.BIO_free(_writeBio);
            throw;
        }
        _ssl = ssl;
        _firstBytes = firstBytes;
        LibSsl.SSL_set0_wbio(ssl, _writeBio); // frees the socket write BIO (which never closes the fd)
    }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancel = default)
    {
        if (_firstBytesUsed < _firstBytes.Length)
        {
            var count = Math.Min(buffer.Length, _firstBytes.Length - _firstBytesUsed);
            _firstBytes.AsMemory(_firstBytesUsed, count).CopyTo(buffer);
            _firstBytesUsed += count;
            return count;
        }
        while (true)
        {
            var (read, error, detail) = ReadOnce(buffer);
            await SendPendingAsync(cancel).ConfigureAwait(false); // alerts or key updates a read produced
            if (read > 0)
                return read;
            switch (error)
            {
                case LibSsl.ErrorWantRead:
                    // A zero-byte receive waits for readability without taking bytes away from OpenSSL.
                    await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancel).ConfigureAwait(false);
                    continue;
                case LibSsl.ErrorZeroReturn:
                case LibSsl.ErrorSyscall when read == 0:
                    return 0; // close_notify, or the peer closed the socket
                default:
                    throw new IOException($"TLS read failed: {detail}");
            }
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancel = default)
    {
        await _sending.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            WriteOnce(data);
            await SendBufferedAsync(cancel).ConfigureAwait(false);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>Sends close_notify: the client reads the end of the stream; the socket stays open for reading.</summary>
    public async Task ShutdownAsync()
    {
        await _sending.WaitAsync().ConfigureAwait(false);
        try
        {
            lock (_gate)
            {
                LibSsl.ERR_clear_error();
                LibSsl.SSL_shutdown(Ssl);
            }
            await SendBufferedAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _sending.Release();
        }
    }

    // Callers hold _gate, so the handle cannot be released between this check and their libssl call.
    /// <summary>The application protocol agreed by ALPN; null when none was.</summary>
    public unsafe string? ApplicationProtocol
    {
        get
        {
            byte* data;
            uint length;
            LibSsl.SSL_get0_alpn_selected(Ssl, &data, &length);
            return length == 0 ? null : System.Text.Encoding.ASCII.GetString(data, (int)length);
        }
    }

    private SslHandle Ssl => !_ssl.IsClosed ? _ssl : throw new ObjectDisposedException(nameof(OpenSslStream));

    // OpenSSL's error queue belongs to the thread, and the caller may resume on another: the text is taken here.
    private unsafe (int Read, int Error, string? Detail) ReadOnce(Memory<byte> buffer)
    {
        using var pinned = buffer.Pin();
        lock (_gate)
        {
            LibSsl.ERR_clear_error();
            var read = LibSsl.SSL_read(Ssl, (byte*)pinned.Pointer, buffer.Length);
            if (read > 0)
                return (read, 0, null);
            var error = LibSsl.SSL_get_error(Ssl, read);
            return (read, error, error is LibSsl.ErrorWantRead or LibSsl.ErrorZeroReturn ? null : LibSsl.TakeErrors());
        }
    }

    private unsafe void WriteOnce(ReadOnlyMemory<byte> data)
    {
        using var pinned = data.Pin();
        lock (_gate)
        {
            LibSsl.ERR_clear_error();
            // The write BIO is memory: without partial-write mode SSL_write takes all of it or fails.
            if (data.Length > 0 && LibSsl.SSL_write(Ssl, (byte*)pinned.Pointer, data.Length) <= 0)
                throw new IOException($"TLS write failed: {LibSsl.TakeErrors()}");
        }
    }

    private async Task SendPendingAsync(CancellationToken cancel)
    {
        if (Buffered() == 0)
            return;
        await _sending.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            await SendBufferedAsync(cancel).ConfigureAwait(false);
        }
        finally
        {
            _sending.Release();
        }
    }

    // Caller holds _sending, so chunks leave in the order OpenSSL produced them.
    private async Task SendBufferedAsync(CancellationToken cancel)
    {
        int taken;
        while ((taken = TakeBuffered()) > 0)
            await _socket.SendAsync(_sendBuffer.AsMemory(0, taken), SocketFlags.None, cancel).ConfigureAwait(false);
    }

    private unsafe int TakeBuffered()
    {
        lock (_gate)
        {
            _ = Ssl; // the write BIO goes with the SSL object
            fixed (byte* buffer = _sendBuffer)
                return LibSsl.BIO_read(_writeBio, buffer, _sendBuffer.Length);
        }
    }

    private long Buffered()
    {
        lock (_gate)
            return _ssl.IsClosed ? 0 : LibSsl.BIO_ctrl(_writeBio, LibSsl.BioCtrlPending, 0, IntPtr.Zero);
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancel) => ReadAsync(buffer.AsMemory(offset, count), cancel).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancel) => WriteAsync(buffer.AsMemory(offset, count), cancel).AsTask();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancel) => Task.CompletedTask;

    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            lock (_gate)
                _ssl.Dispose(); // also frees the memory write BIO
            _socket.Dispose();
        }
        base.Dispose(disposing);
    }
}
