using OcspStapling.Engine.Tls;

namespace OcspStapling;

/// <summary>
/// What Start-, Get- and Stop-StaplingListener write: a running listener, read live (counters and staples change
/// while it runs). Stop-StaplingListener takes it from the pipeline.
/// </summary>
public sealed class StaplingListenerInfo
{
    internal StaplingListenerInfo(StaplingListener listener) => Listener = listener;

    internal StaplingListener Listener { get; }

    /// <summary>Address and port, as 127.0.0.1:8443.</summary>
    public string Endpoint => Listener.Endpoint.ToString();

    public string Address => Listener.Endpoint.Address.ToString();

    public int Port => Listener.Endpoint.Port;

    public string TlsImplementation => Listener.TlsImplementation;

    public bool CanStaple => Listener.CanStaple;

    public string? MetricsEndpoint => Listener.MetricsEndpoint?.ToString();

    /// <summary>The certificates served, the default (for clients that send no server name) first.</summary>
    public ListenerSiteInfo[] Sites => Listener.Sites.Select(s => new ListenerSiteInfo(s)).ToArray();

    /// <summary>The default certificate's subject.</summary>
    public string Subject => Listener.Subject;

    /// <summary>The default certificate's staple: Good, Revoked, Unknown, or empty while none is valid.</summary>
    public string? StapleStatus => Listener.StapleStatus?.ToString();

    public DateTime? NextUpdate => Listener.NextUpdate?.UtcDateTime;

    public long Handshakes => Listener.Handshakes;

    /// <summary>Handshakes completed while a valid staple was installed.</summary>
    public long StapledHandshakes => Listener.StapledHandshakes;

    public long FailedHandshakes => Listener.FailedHandshakes;

    public long OpenConnections => Listener.OpenConnections;

    public string? ForwardTo => Listener.ForwardTo;

    public string? LastRefreshError => Listener.LastRefreshError;

    public DateTime? LastRefresh => Listener.LastRefresh?.UtcDateTime;

    public override string ToString() => $"{Endpoint}: {Listener.Sites.Count} certificate(s), {TlsImplementation}";
}
