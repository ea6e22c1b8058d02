using System.Net.Security;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;

namespace OcspStapling.Engine.Tls;

/// <summary>
/// The one place that reaches into SslStreamCertificateContext's private state. .NET has no public API to hand it
/// an OCSP response; on Linux (OpenSSL) the handshake staples whatever these fields hold, read per connection,
/// so replacing them swaps the staple live. Checked when the class is first used: a runtime without the fields
/// (Windows SChannel, a future .NET) gets a clear error rather than silently serving no staple.
/// </summary>
public static class SslStreamStapling
{
    private static readonly Lazy<Fields> Known = new(Find);

    /// <summary>Null when stapling works on this runtime; otherwise why not, naming the runtime.</summary>
    public static string? Unsupported => Known.Value.Problem;

    /// <summary>A server context for <paramref name="certificate"/> that sends <paramref name="intermediates"/> and staples only what it is given.</summary>
    public static SslStreamCertificateContext CreateContext(X509Certificate2 certificate, X509Certificate2Collection intermediates, bool allowNoStapling = false)
    {
        if (allowNoStapling && Unsupported != null)
            return SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
        var fields = Require();
        // offline: true stops .NET fetching OCSP by itself; the staple comes from Apply.
        var context = SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
        fields.StaplingForbidden.SetValue(context, true);
        fields.OcspUrls.SetValue(context, new List<string>());
        fields.NextDownload.SetValue(context, DateTimeOffset.MaxValue);
        return context;
    }

    /// <summary>Staple <paramref name="der"/> on every following handshake until <paramref name="expires"/>; null stops stapling.</summary>
    public static void Apply(SslStreamCertificateContext context, byte[]? der, DateTimeOffset expires)
    {
        if (Unsupported != null)
            return; // only reached with AllowNoStapling: CreateContext refused otherwise
        var fields = Require();
        lock (context)
        {
            if (der == null)
            {
                fields.StaplingForbidden.SetValue(context, true);
                fields.OcspResponse.SetValue(context, null);
                return;
            }
            fields.OcspResponse.SetValue(context, der);
            fields.OcspExpiration.SetValue(context, expires);
            fields.NextDownload.SetValue(context, DateTimeOffset.MaxValue);
            // A null URL list means "stapling unavailable" to the handshake code; an empty one does not.
            fields.OcspUrls.SetValue(context, new List<string>());
            fields.StaplingForbidden.SetValue(context, false);
        }
    }

    private static Fields Require() =>
        Known.Value.Problem is { } problem ? throw new PlatformNotSupportedException(problem) : Known.Value;

    private static Fields Find()
    {
        var runtime = $"{RuntimeInformation.FrameworkDescription} on {RuntimeInformation.OSDescription}";
        if (!OperatingSystem.IsLinux())
            return Fields.Missing($"OCSP stapling from SslStream needs OpenSSL (Linux); {runtime} uses the platform TLS stack, which offers no way to staple from .NET.");
        const BindingFlags flags = BindingFlags.Instance | BindingFlags.NonPublic;
        var type = typeof(SslStreamCertificateContext);
        FieldInfo? F(string name) => type.GetField(name, flags);
        var found = new Fields(F("_staplingForbidden"), F("_ocspResponse"), F("_ocspExpiration"), F("_nextDownload"), F("_ocspUrls"), null);
        var missing = new[] { ("_staplingForbidden", found.StaplingForbiddenOrNull), ("_ocspResponse", found.OcspResponseOrNull), ("_ocspExpiration", found.OcspExpirationOrNull), ("_nextDownload", found.NextDownloadOrNull), ("_ocspUrls", found.OcspUrlsOrNull) }
            .Where(f => f.Item2 == null).Select(f => f.Item1).ToList();
        return missing.Count == 0
            ? found
            : Fields.Missing($"OCSP stapling from SslStream is not available on {runtime}: SslStreamCertificateContext lacks {string.Join(", ", missing)}. This build of OcspStapling supports .NET 8 to 10 on Linux.");
    }

    private sealed record Fields(FieldInfo? StaplingForbiddenOrNull, FieldInfo? OcspResponseOrNull, FieldInfo? OcspExpirationOrNull, FieldInfo? NextDownloadOrNull, FieldInfo? OcspUrlsOrNull, string? Problem)
    {
        public FieldInfo StaplingForbidden => StaplingForbiddenOrNull!;
        public FieldInfo OcspResponse => OcspResponseOrNull!;
        public FieldInfo OcspExpiration => OcspExpirationOrNull!;
        public FieldInfo NextDownload => NextDownloadOrNull!;
        public FieldInfo OcspUrls => OcspUrlsOrNull!;

        public static Fields Missing(string problem) => new(null, null, null, null, null, problem);
    }
}
