using System.Runtime.InteropServices;

namespace OcspStapling.Engine.Tls.OpenSsl;

/// <summary>One thread of the <see cref="HandshakeLoop"/>: its epoll, its connections, their deadlines.</summary>
internal sealed unsafe class HandshakeWorker : IDisposable
{
    private const int MaxEvents = 64;
    private static readonly TimeSpan AcceptPause = TimeSpan.FromMilliseconds(100);

    private readonly OpenSslSni _sni;
    private readonly int _listening;
    private readonly int _wake;
    private readonly LoopSettings _settings;
    private readonly Dictionary<int, Connection> _connections = new();
    // Every deadline is "now + the same timeout", so appending keeps this queue in deadline order.
    private readonly Queue<(Connection Connection, long Deadline)> _deadlines = new();
    private readonly byte[] _firstBytes = new byte[16 * 1024];
    private readonly DescriptorHandle _epollHandle;
    private readonly int _epoll; // the handle's descriptor, kept alive by this worker until Run ends
    private readonly Action<Connection> _advance; // one delegate, not one per event
    private long _acceptPausedUntil;

    public HandshakeWorker(OpenSslSni sni, int listening, int wake, LoopSettings settings)
    {
        _sni = sni;
        _listening = listening;
        _wake = wake;
        _settings = settings;
        _advance = Advance;
        _epollHandle = new DescriptorHandle(LibC.epoll_create1(LibC.CloseOnExec));
        _epoll = _epollHandle.Fd;
        // EPOLLEXCLUSIVE: a new connection wakes one thread, not all of them.
        if (_epollHandle.IsInvalid || LibC.Add(_epoll, _listening, LibC.EpollIn | LibC.EpollExclusive) != 0 || LibC.Add(_epoll, _wake, LibC.EpollIn) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            _epollHandle.Dispose();
            throw new InvalidOperationException($"The OpenSSL TLS front could not set up epoll (errno {errno}; EPOLLEXCLUSIVE needs Linux 4.5 or later). Use the SslStream front (--tls sslstream, -Tls SslStream).");
        }
    }

    public void Run()
    {
        var events = stackalloc byte[MaxEvents * LibC.EventSize];
        try
        {
            while (true)
            {
                var count = LibC.epoll_wait(_epoll, events, MaxEvents, NextTimeoutMs());
                if (count < 0 && Marshal.GetLastPInvokeError() != LibC.EIntr)
                    return;
                var canAccept = false;
                for (var i = 0; i < count; i++)
                {
                    var fd = LibC.FdOf(events, i);
                    if (fd == _wake)
                        return;
                    if (fd == _listening)
                        canAccept = true;
                    else if (_connections.TryGetValue(fd, out var connection))
                        Guarded(connection, _advance);
                }
                // One new connection per wake-up, after the ones already here (nginx's default, multi_accept off):
                // TLS 1.3 clients send their Finished and go, so a loop that drained the backlog first would
                // start handshakes (a signature each) faster than it finishes them, and hold thousands open.
                if (canAccept)
                    AcceptOne();
                ExpireOverdue();
                ResumeAcceptingWhenDue();
            }
        }
        finally
        {
            foreach (var connection in _connections.Values.ToList())
                Close(connection);
            _epollHandle.Dispose();
        }
    }

    /// <summary>For a worker that never ran (the loop failed to set up another one); Run disposes its own.</summary>
    public void Dispose() => _epollHandle.Dispose();

    private void AcceptOne()
    {
        var fd = LibC.accept4(_listening, IntPtr.Zero, IntPtr.Zero, LibC.NonBlockingCloseOnExec);
        if (fd < 0)
        {
            if (Marshal.GetLastPInvokeError() is LibC.EMFile or LibC.ENFile)
                PauseAccepting(); // out of descriptors: retrying at once would spin; nginx waits too
            return;
        }
        LibC.SetNoDelay(fd);
        var connection = Connection.Start(_sni.Default, fd);
        if (connection == null)
        {
            LibC.close(fd);
            return;
        }
        _connections[fd] = connection;
        _settings.Counters.Started();
        // Edge-triggered: each step runs until OpenSSL wants more bytes, so no readiness is lost.
        if (LibC.Add(_epoll, fd, LibC.EpollIn | LibC.EpollOut | LibC.EpollRdHup | LibC.EpollEdgeTriggered) != 0)
        {
            _settings.Counters.Failed();
            Close(connection); // unwatched, it would never be served or timed out
            return;
        }
        Schedule(connection);
        Guarded(connection, _advance);
    }

    // An exception escaping this thread would end the process, which may be someone's PowerShell session:
    // a fault in one connection's step costs that connection only.
    private void Guarded(Connection connection, Action<Connection> step)
    {
        try
        {
            step(connection);
        }
        catch (Exception)
        {
            if (connection.Done)
                return;
            if (!connection.Authenticated)
                _settings.Counters.Failed();
            Close(connection);
        }
    }

    private void Advance(Connection connection)
    {
        LibSsl.ERR_clear_error();
        if (!connection.Authenticated)
        {
            var result = LibSsl.SSL_do_handshake(connection.Ssl);
            if (result != 1)
            {
                if (!Waiting(connection, result))
                {
                    _settings.Counters.Failed();
                    Close(connection);
                }
                return;
            }
            connection.Authenticated = true;
            _settings.Counters.Succeeded(_sni.HasValidStaple(connection.Ssl));
            if (_settings.HandOffAtOnce)
            {
                HandOff(connection, ReadOnlySpan<byte>.Empty);
                return;
            }
            Schedule(connection); // a fresh timeout for the request
        }
        int read;
        fixed (byte* buffer = _firstBytes)
            read = LibSsl.SSL_read(connection.Ssl, buffer, _firstBytes.Length);
        if (read > 0)
            HandOff(connection, _firstBytes.AsSpan(0, read));
        else if (!Waiting(connection, read))
        {
            // close_notify or a hang-up after the handshake: a health check, a probe, a handshake-only client.
            LibSsl.SSL_shutdown(connection.Ssl);
            Close(connection);
        }
    }

    private static bool Waiting(Connection connection, int result) =>
        LibSsl.SSL_get_error(connection.Ssl, result) is LibSsl.ErrorWantRead or LibSsl.ErrorWantWrite;

    private void HandOff(Connection connection, ReadOnlySpan<byte> firstBytes)
    {
        LibC.Remove(_epoll, connection.Fd);
        _connections.Remove(connection.Fd);
        connection.Done = true;
        OpenSslStream stream;
        try
        {
            stream = new OpenSslStream(connection.Fd, connection.Ssl, firstBytes.ToArray());
        }
        catch (Exception)
        {
            // No socket object for it (descriptor trouble): the connection ends here.
            connection.Ssl.Dispose();
            LibC.close(connection.Fd);
            return;
        }
        _settings.Authenticated(stream);
    }

    private void Schedule(Connection connection)
    {
        connection.Deadline = Environment.TickCount64 + (long)_settings.HandshakeTimeout.TotalMilliseconds;
        _deadlines.Enqueue((connection, connection.Deadline));
    }

    private void ExpireOverdue()
    {
        var now = Environment.TickCount64;
        while (_deadlines.TryPeek(out var head) && (head.Connection.Done || head.Deadline != head.Connection.Deadline || head.Deadline <= now))
        {
            _deadlines.Dequeue();
            if (!head.Connection.Done && head.Deadline == head.Connection.Deadline)
            {
                if (!head.Connection.Authenticated)
                    _settings.Counters.Failed();
                Close(head.Connection);
            }
        }
    }

    private int NextTimeoutMs()
    {
        var now = Environment.TickCount64;
        var next = _deadlines.TryPeek(out var head) ? head.Deadline : long.MaxValue;
        if (_acceptPausedUntil > 0)
            next = Math.Min(next, _acceptPausedUntil);
        return next == long.MaxValue ? -1 : (int)Math.Clamp(next - now, 0, 1000);
    }

    private void PauseAccepting()
    {
        LibC.Remove(_epoll, _listening);
        _acceptPausedUntil = Environment.TickCount64 + (long)AcceptPause.TotalMilliseconds;
    }

    private void ResumeAcceptingWhenDue()
    {
        if (_acceptPausedUntil == 0 || Environment.TickCount64 < _acceptPausedUntil)
            return;
        _acceptPausedUntil = 0;
        LibC.Add(_epoll, _listening, LibC.EpollIn | LibC.EpollExclusive);
    }

    // Once per connection: the descriptor number may be reused by the next accept as soon as it is closed.
    private void Close(Connection connection)
    {
        if (connection.Closed)
            return;
        connection.Closed = true;
        connection.Done = true;
        _connections.Remove(connection.Fd);
        connection.Ssl.Dispose();
        LibC.close(connection.Fd); // also takes it out of the epoll
    }

    /// <summary>A connection still in the loop: its handshake, or waiting for its first bytes.</summary>
    private sealed class Connection
    {
        private Connection(int fd, SslHandle ssl)
        {
            Fd = fd;
            Ssl = ssl;
        }

        public int Fd { get; }
        public SslHandle Ssl { get; }
        public bool Authenticated { get; set; }
        /// <summary>Left the loop: closed, or handed off (the stream owns descriptor and SSL object now).</summary>
        public bool Done { get; set; }
        public bool Closed { get; set; }
        public long Deadline { get; set; }

        public static Connection? Start(OpenSslServerContext context, int fd)
        {
            var ssl = SslHandle.Create(context.Handle);
            if (ssl == null)
                return null;
            // Separate read and write BIOs on the socket, so the write side can become a memory BIO on hand-off.
            var read = LibSsl.BIO_new_socket(fd, 0);
            var write = LibSsl.BIO_new_socket(fd, 0);
            if (read == IntPtr.Zero || write == IntPtr.Zero)
            {
                LibSsl.BIO_free(read);
                LibSsl.BIO_free(write);
                ssl.Dispose();
                return null;
            }
            LibSsl.SSL_set_bio(ssl, read, write); // the SSL object owns them from here
            LibSsl.SSL_set_accept_state(ssl);
            return new Connection(fd, ssl);
        }
    }
}
