using OcspStapling.Engine.Export;
using OcspStapling.Engine.Operations;

namespace OcspStapling.Engine.Delivery;

/// <summary>
/// Pushes into HAProxy, through its admin socket, each staple that differs from what this host last pushed through
/// that socket: a few at once, each time-limited, and once the socket itself fails (absent, refusing, silent) the rest
/// are marked with that reason instead of each waiting out its own timeout. What failed stays due for the next run.
/// </summary>
internal sealed class HaproxySink : IServerSink
{
    private const int Parallel = 4;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly string _socket;
    private readonly DeliveredDigests _pushed;
    private readonly IOperationLog _log;
    private volatile string? _socketFailure;

    public HaproxySink(string socket, DeliveryState state, IOperationLog log)
    {
        _socket = socket;
        _pushed = new DeliveredDigests(state);
        _log = log;
    }

    public bool Wants(SiteDelivery site) => _pushed.Differs(site);

    public async Task<IReadOnlyDictionary<int, string>> DeliverAsync(IReadOnlyList<SiteDelivery> sites, CancellationToken cancel)
    {
        var failed = new System.Collections.Concurrent.ConcurrentDictionary<int, string>();
        await System.Threading.Tasks.Parallel.ForEachAsync(Enumerable.Range(0, sites.Count), new ParallelOptions { MaxDegreeOfParallelism = Parallel, CancellationToken = cancel },
            async (i, token) =>
            {
                var site = sites[i];
                if (!Wants(site))
                    return; // held for another sink
                var problem = _socketFailure ?? await TryPushAsync(site.Servable!, token).ConfigureAwait(false);
                if (problem == null)
                {
                    _pushed.Delivered(site);
                    _log.Verbose($"Pushed the staple of {site.Site} to HAProxy at {_socket}.");
                    return;
                }
                _log.Warning($"{site.Site}: {problem}");
                failed[i] = problem;
            }).ConfigureAwait(false);
        if (_pushed.Save() is { } unsaved)
            _log.Warning(unsaved);
        return failed;
    }

    private async Task<string?> TryPushAsync(byte[] staple, CancellationToken cancel)
    {
        try
        {
            await HaproxyRuntimeApi.PushAsync(_socket, staple, Timeout, cancel).ConfigureAwait(false);
            return null;
        }
        catch (HaproxySocketException e)
        {
            _socketFailure = e.Message;
            return e.Message;
        }
        catch (StaplingException e)
        {
            return e.Message; // HAProxy answered but refused this staple: the others may still go through
        }
    }
}
