using System.Net.Sockets;

namespace OcspStapling.Engine.Tls.OpenSsl;

/// <summary>
/// nginx's model for the CPU-heavy part of a connection: one thread per core, each with its own epoll, accepts from
/// the shared listening socket and drives non-blocking handshakes on the sockets themselves, with no task or buffer
/// copy per step. A connection leaves the loop once it has something to serve: at once when forwarding (the backend
/// may speak first), or with its first bytes otherwise; a client that only shakes hands and hangs up never leaves it.
/// </summary>
internal sealed class HandshakeLoop : IDisposable
{
    private readonly OpenSslSni _sni;
    private readonly Socket _listening;
    private readonly LoopSettings _settings;
    private readonly DescriptorHandle _wake;
    private readonly List<Thread> _threads = new();
    private int _disposed;

    public HandshakeLoop(OpenSslSni sni, Socket listening, LoopSettings settings)
    {
        _sni = sni;
        _listening = listening;
        _settings = settings;
        _wake = new DescriptorHandle(LibC.eventfd(0, LibC.NonBlockingCloseOnExec));
        if (_wake.IsInvalid)
            throw new InvalidOperationException($"eventfd failed (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}).");
    }

    public static int ThreadCount => Math.Clamp(Environment.ProcessorCount, 1, 8);

    public void Start()
    {
        // Several threads wait on the one listening socket: it must not block the one that loses the race.
        _listening.Blocking = false;
        // Every epoll is set up before any thread runs, so a failure leaves nothing running.
        var workers = new List<HandshakeWorker>();
        try
        {
            for (var i = 0; i < ThreadCount; i++)
                workers.Add(new HandshakeWorker(_sni, (int)_listening.Handle, _wake.Fd, _settings));
        }
        catch
        {
            workers.ForEach(w => w.Dispose());
            throw;
        }
        for (var i = 0; i < workers.Count; i++)
        {
            var thread = new Thread(workers[i].Run) { IsBackground = true, Name = $"ocspstaple TLS {i + 1}" };
            thread.Start();
            _threads.Add(thread);
        }
    }

    /// <summary>Stops every thread (connections still in a handshake are closed), then returns. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        LibC.Signal(_wake.Fd);
        foreach (var thread in _threads)
            thread.Join();
        _wake.Dispose(); // only now: every worker watched it until it returned
    }
}

/// <summary>What the loop needs from its listener.</summary>
/// <param name="HandOffAtOnce">Hand connections on as soon as the handshake completes (forwarding), not with their first bytes.</param>
/// <param name="Authenticated">Takes a connection that completed its handshake; must return quickly.</param>
internal sealed record LoopSettings(TimeSpan HandshakeTimeout, bool HandOffAtOnce, HandshakeCounters Counters, Action<OpenSslStream> Authenticated);
