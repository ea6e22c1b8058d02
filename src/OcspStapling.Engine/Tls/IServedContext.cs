namespace OcspStapling.Engine.Tls;

/// <summary>One certificate as a TLS front serves it: its chain and key, and the staple sent with it.</summary>
internal interface IServedContext : IDisposable
{
    /// <summary>Staple <paramref name="der"/> on following handshakes until <paramref name="expires"/>; null stops stapling.</summary>
    void Staple(byte[]? der, DateTimeOffset expires);

    /// <summary>True while a staple is installed and not past its expiry.</summary>
    bool HasValidStaple { get; }
}
