using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine.Operations;
using OcspStapling.Engine.Protocol;

namespace OcspStapling.Engine.Tls;

/// <summary>One certificate a listener serves: its TLS context on the front, and the keeper of its staple.</summary>
public sealed class ListenerSite
{
    private readonly StapleKeeper _keeper;

    private ListenerSite(ServedCertificate served, IServedContext context, StapleKeeper keeper, FileStamp? stamp)
    {
        Served = served;
        Context = context;
        _keeper = keeper;
        Stamp = stamp;
    }

    public ServedCertificate Served { get; }

    public X509Certificate2 Certificate => Served.Certificate;

    public string Subject => Served.Certificate.Subject;

    /// <summary>The names clients reach this certificate by (subjectAltName DNS names).</summary>
    public IReadOnlyList<string> Names => ServerNameTable<IServedContext>.DnsNames(Served.Certificate);

    /// <summary>The staple being served; null when none is valid.</summary>
    public OcspResult? Staple => _keeper.Current;

    public CertStatus? StapleStatus => Staple?.CertStatus;

    public bool IsStapling => _keeper.IsStapling;

    public string? LastRefreshError => _keeper.LastError;

    /// <summary>The policy's state for this certificate's staple at <paramref name="now"/> (what update and status would say).</summary>
    public Policy.SiteState StateAt(DateTimeOffset now) =>
        _keeper.HasNoResponder ? Policy.SiteState.NoOcsp
        : Staple is { } staple ? staple.JudgeAt(now, _keeper.Refresh, _keeper.Verification).State
        : Policy.SiteState.NoValidStaple;

    public DateTimeOffset? LastRefresh => _keeper.LastRefresh;

    internal IServedContext Context { get; }

    /// <summary>The certificate and key files as they were read; a different stamp means they changed.</summary>
    internal FileStamp? Stamp { get; }

    /// <summary>A stamp whose files could not be read as a pair (still being written?): not retried until it changes.</summary>
    internal FileStamp? Rejected { get; set; }

    /// <summary>Prepares the certificate on the front and obtains its first staple (a failure is logged; it is then served without one).</summary>
    internal static async Task<ListenerSite> StartAsync(ServedCertificate served, FileStamp? stamp, ITlsFront front, ListenerOptions options,
        StapleFetcher fetcher, StoreStapleSource? store, IOperationLog log, CancellationToken cancel)
    {
        var context = front.CreateContext(served);
        var keeper = new StapleKeeper(served, options, fetcher, store, context.Staple, log);
        try
        {
            await keeper.StartAsync(cancel).ConfigureAwait(false);
        }
        catch
        {
            await keeper.DisposeAsync().ConfigureAwait(false);
            context.Dispose();
            throw;
        }
        if (Certificates.CertificateFacts.IsMustStaple(served.Certificate) && !keeper.IsStapling && !keeper.HasNoResponder)
            log.Warning($"'{served.Subject}' is MUST-STAPLE and there is no valid staple: clients will refuse every connection until one is obtained. {keeper.LastError}");
        return new ListenerSite(served, context, keeper, stamp);
    }

    /// <summary>Stops refreshing. The context is disposed by the caller once no handshake can still be using it.</summary>
    internal ValueTask StopAsync() => _keeper.DisposeAsync();

    /// <summary>Stops refreshing and frees the TLS context at once: when no handshake can be using it any more.</summary>
    internal async ValueTask CloseAsync()
    {
        await StopAsync().ConfigureAwait(false);
        Context.Dispose();
    }

    public override string ToString() =>
        $"{Subject}: {(StapleStatus is { } s ? $"stapling {s.ToString().ToLowerInvariant()} until {Staple!.NextUpdate:u}" : "NOT stapling")}";
}

/// <summary>Size and modification time of a certificate file and its key file.</summary>
internal readonly record struct FileStamp(long CertificateLength, DateTime CertificateWritten, long KeyLength, DateTime KeyWritten)
{
    public static FileStamp? Of(ServedCertificate served)
    {
        if (served.CertificateFile == null)
            return null;
        var certificate = new FileInfo(served.CertificateFile);
        var key = served.KeyFile != null ? new FileInfo(served.KeyFile) : null;
        return new FileStamp(
            certificate.Exists ? certificate.Length : -1, certificate.Exists ? certificate.LastWriteTimeUtc : default,
            key is { Exists: true } ? key.Length : -1, key is { Exists: true } ? key.LastWriteTimeUtc : default);
    }
}
