namespace OcspStapling.Engine.Delivery;

/// <summary>
/// The administrator's reload command (e.g. "nginx -t &amp;&amp; systemctl reload nginx"), run once at the end of a run
/// when this host's servers should get a staple other than the one the last successful reload gave them, or a file
/// they load was repaired (deleted, damaged). Until it succeeds, those sites stay due, run after run.
/// </summary>
internal sealed class ReloadSink : IServerSink
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private readonly string _command;
    private readonly IReadOnlyList<string> _hiddenVariables;
    private readonly DeliveredDigests _delivered;
    private readonly Operations.IOperationLog _log;

    public ReloadSink(string command, IReadOnlyList<string> hiddenVariables, DeliveryState state, Operations.IOperationLog log)
    {
        _command = command;
        _hiddenVariables = hiddenVariables;
        _delivered = new DeliveredDigests(state);
        _log = log;
    }

    public bool Wants(SiteDelivery site) => site.FilesChanged || _delivered.Differs(site);

    public async Task<IReadOnlyDictionary<int, string>> DeliverAsync(IReadOnlyList<SiteDelivery> sites, CancellationToken cancel)
    {
        var wanted = Enumerable.Range(0, sites.Count).Where(i => Wants(sites[i])).ToList();
        if (wanted.Count == 0)
            return new Dictionary<int, string>();
        try
        {
            await ReloadCommand.RunAsync(_command, Timeout, _hiddenVariables, cancel).ConfigureAwait(false);
        }
        catch (StaplingException e)
        {
            _log.Warning(e.Message);
            return wanted.ToDictionary(i => i, _ => e.Message);
        }
        _log.Verbose($"Ran '{_command}' for {wanted.Count} site(s) whose staple changed on this host.");
        foreach (var i in wanted)
            _delivered.Delivered(sites[i]);
        if (_delivered.Save() is { } unsaved)
            _log.Warning(unsaved);
        return new Dictionary<int, string>();
    }
}
