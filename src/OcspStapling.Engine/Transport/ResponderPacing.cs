using System.Collections.Concurrent;

namespace OcspStapling.Engine.Transport;

/// <summary>
/// Keeps a run polite to each responder host (one instance per fetcher, so per run or per listener): at most
/// <see cref="TransportOptions.MaxInFlightPerResponder"/> requests in flight to one host; and once the host has said
/// "too many" (HTTP 429 or 503, or OCSP tryLater), one request at a time for the rest of the run, none before the
/// time it asked for (Retry-After), and spaced further apart each time it says so again. A host still busy after
/// the run's patience (<see cref="TransportOptions.MaxPoliteWait"/>) is not asked again in this run.
/// </summary>
public sealed class ResponderPacing
{
    /// <summary>The pause when a busy answer names none (tryLater, a 503 without Retry-After).</summary>
    public static readonly TimeSpan DefaultPause = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan FirstSpacing = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxSpacing = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Host> _hosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly int _maxInFlight;
    private readonly TimeSpan _patience;

    public ResponderPacing(int maxInFlightPerHost, TimeSpan patience)
    {
        _maxInFlight = Math.Max(1, maxInFlightPerHost);
        _patience = patience;
    }


    /// <summary>
    /// Waits for a turn to ask <paramref name="url"/>'s host; dispose the result when the answer is in. Null when the
    /// host has been given up for this run (do not ask it).
    /// </summary>
    public async Task<IDisposable?> EnterAsync(Uri url, CancellationToken cancel)
    {
        var host = _hosts.GetOrAdd(url.Authority, _ => new Host(_maxInFlight));
        await host.InFlight.WaitAsync(cancel).ConfigureAwait(false);
        if (!host.Slowed)
            return new Turn(host, serial: false);
        try
        {
            await host.Serial.WaitAsync(cancel).ConfigureAwait(false);
        }
        catch
        {
            host.InFlight.Release();
            throw;
        }
        var turn = new Turn(host, serial: true);
        try
        {
            // Given up while this request queued: it would wait out a pause longer than the run's patience.
            if (host.GivenUp)
            {
                turn.Dispose();
                return null;
            }
            var wait = host.TakeSlot(DateTimeOffset.UtcNow);
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait, cancel).ConfigureAwait(false);
            return turn;
        }
        catch
        {
            turn.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The host answered "busy": from now on it is asked one request at a time, not before <paramref name="pause"/>
    /// (its Retry-After, or <see cref="DefaultPause"/>) has passed. Returns false when that would take the host past
    /// the run's patience: it is then given up for this run.
    /// </summary>
    public bool SlowDown(Uri url, TimeSpan? pause)
    {
        var host = _hosts.GetOrAdd(url.Authority, _ => new Host(_maxInFlight));
        return host.SlowDown(DateTimeOffset.UtcNow, pause is { } p && p > TimeSpan.Zero ? p : DefaultPause, _patience);
    }

    private sealed class Host
    {
        private readonly object _gate = new();
        private DateTimeOffset _nextAllowed;
        private DateTimeOffset? _busySince;
        private TimeSpan _spacing;

        public Host(int maxInFlight) => InFlight = new SemaphoreSlim(maxInFlight, maxInFlight);

        public SemaphoreSlim InFlight { get; }

        public SemaphoreSlim Serial { get; } = new(1, 1);

        public bool Slowed { get; private set; }

        public bool GivenUp { get; private set; }

        // Called with Serial held: claims the next slot and says how long to wait for it.
        public TimeSpan TakeSlot(DateTimeOffset now)
        {
            lock (_gate)
            {
                var start = _nextAllowed > now ? _nextAllowed : now;
                _nextAllowed = start + _spacing;
                return start - now;
            }
        }

        public bool SlowDown(DateTimeOffset now, TimeSpan pause, TimeSpan patience)
        {
            lock (_gate)
            {
                Slowed = true;
                _busySince ??= now;
                _spacing = _spacing == TimeSpan.Zero ? FirstSpacing : TimeSpan.FromTicks(Math.Min(_spacing.Ticks * 2, MaxSpacing.Ticks));
                if (now + pause > _nextAllowed)
                    _nextAllowed = now + pause;
                GivenUp |= _nextAllowed - _busySince.Value > patience;
                return !GivenUp;
            }
        }
    }

    private sealed class Turn : IDisposable
    {
        private readonly Host _host;
        private readonly bool _serial;
        private int _disposed;

        public Turn(Host host, bool serial)
        {
            _host = host;
            _serial = serial;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
                return;
            if (_serial)
                _host.Serial.Release();
            _host.InFlight.Release();
        }
    }
}
