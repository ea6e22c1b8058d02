using OcspStapling.Engine.Export;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Store;

namespace OcspStapling.Engine.Refresh;

/// <summary>
/// Pushes a run's changed staples into HAProxy: a few at once, each time-limited, and once the socket itself fails
/// (absent, refusing, silent) the rest are marked with that reason instead of each waiting out its own timeout.
/// </summary>
internal sealed class HaproxyDelivery
{
    private const int Parallel = 4;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly string _socket;
    private readonly IStapleStore _store;
    private readonly IOperationLog _log;
    private volatile string? _socketFailure;

    public HaproxyDelivery(string socket, IStapleStore store, IOperationLog log)
    {
        _socket = socket;
        _store = store;
        _log = log;
    }

    /// <summary>Replaces the summaries at <paramref name="indexes"/> whose staple did not reach HAProxy.</summary>
    public async Task PushAsync(RefreshSummary[] summaries, IReadOnlyList<int> indexes, CancellationToken cancel)
    {
        await System.Threading.Tasks.Parallel.ForEachAsync(indexes, new ParallelOptions { MaxDegreeOfParallelism = Parallel, CancellationToken = cancel },
            async (i, token) =>
            {
                var summary = summaries[i];
                if (_store.Read(summary.Thumbprint)?.Staple is not { } staple)
                    return;
                var problem = _socketFailure ?? await TryPushAsync(staple, token).ConfigureAwait(false);
                if (problem == null)
                {
                    _log.Verbose($"Pushed the new staple for {summary.Subject} to HAProxy at {_socket}.");
                    return;
                }
                _log.Warning($"{summary.CertificatePath ?? summary.Subject}: {problem}");
                summaries[i] = summary.DeliveryFailed(problem);
            }).ConfigureAwait(false);
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
