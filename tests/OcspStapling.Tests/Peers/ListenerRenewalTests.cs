using OcspStapling.Engine.Tls;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Peers;

/// <summary>
/// A certificate renewed in place (certbot rewriting fullchain.pem and privkey.pem) is served without a restart, under
/// load, with no failed handshake; files caught half written, or a certificate with the old key, are ignored until the
/// pair is whole.
/// </summary>
public sealed class ListenerRenewalTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public ListenerRenewalTests(LabResponderFixture lab) => _lab = lab;

    [PeerTheory("openssl")]
    [InlineData(ListenerTls.OpenSsl)]
    [InlineData(ListenerTls.SslStream)]
    public async Task A_renewed_pair_is_served_under_load_and_a_half_written_or_mismatched_one_is_ignored(ListenerTls tls)
    {
        var name = $"renew-{tls}.example.test".ToLowerInvariant();
        var old = LabSite.Of(_lab.GoodLeaf(name));
        var next = LabSite.Of(_lab.GoodLeaf("next-" + name));
        using var live = new TempDirectory();
        var fullchain = Path.Combine(live.Path, "fullchain.pem");
        var privkey = Path.Combine(live.Path, "privkey.pem");
        File.Copy(old.Path, fullchain);
        File.Copy(old.KeyFile, privkey);
        var log = new RecordingLog();
        await using var listener = await StaplingListener.StartAsync(ListenerFiles.Options(old.Path) with
        {
            Certificates = [ServedCertificate.Load(fullchain, privkey, null)],
            CertificatePollInterval = TimeSpan.FromMilliseconds(100),
            Tls = tls,
        }, log);
        var load = new HandshakeLoad(listener.Endpoint, name);
        await Eventually.ValueOf(() => load.Completed, n => n >= 10);

        // The lab signs every leaf for one key, so a mismatched pair needs a key of its own.
        using var otherKey = System.Security.Cryptography.RSA.Create(2048);
        var renewed = await File.ReadAllBytesAsync(next.Path);
        await File.WriteAllTextAsync(privkey, otherKey.ExportPkcs8PrivateKeyPem()); // a key that is not the certificate's
        await RejectedAsync(log, 1);
        await File.WriteAllBytesAsync(fullchain, renewed[..(renewed.Length / 2)]); // caught half written
        await RejectedAsync(log, 2);
        await File.WriteAllBytesAsync(fullchain, renewed); // whole, still with the wrong key
        await RejectedAsync(log, 3);
        var stillOld = await SClient.StatusAsync(listener.Endpoint.Port, old.CaFile, name);
        Assert.Contains($"CN = {name}", stillOld.StdOut);
        Assert.Contains("Cert Status: good", stillOld.StdOut);

        File.Copy(next.KeyFile, privkey, overwrite: true); // the pair is whole
        await Eventually.ValueOf(() => listener.Certificate.SerialNumber, s => s == next.Served.Certificate.SerialNumber);
        var before = load.Completed;
        await Eventually.ValueOf(() => load.Completed, n => n >= before + 10);
        await load.DisposeAsync();

        Assert.Empty(load.Failures);
        Assert.Equal(new[] { old.Served.Certificate.SerialNumber, next.Served.Certificate.SerialNumber }.Order(), load.Serials.Order());
        Assert.Contains(log.Events, e => e.StartsWith("Renewed: serving CN=next-" + name) && e.Contains("stapled"));
        var seen = await SClient.StatusAsync(listener.Endpoint.Port, old.CaFile, name);
        Assert.Contains($"CN = next-{name}", seen.StdOut);
        Assert.Contains("Cert Status: good", seen.StdOut); // the new certificate's staple, fetched before it was served
        Assert.Contains("Verify return code: 0 (ok)", seen.StdOut);
    }

    [PeerFact("openssl")]
    public async Task A_renewal_while_the_responder_is_down_is_served_without_a_staple_then_stapled_when_it_is_back()
    {
        var name = "renew-outage.example.test";
        var old = LabSite.Of(_lab.GoodLeaf(name));
        using var live = new TempDirectory();
        var fullchain = Path.Combine(live.Path, "fullchain.pem");
        File.Copy(old.Path, fullchain);
        var log = new RecordingLog();
        await using var listener = await StaplingListener.StartAsync(ListenerFiles.Options(old.Path) with
        {
            Certificates = [ServedCertificate.Load(fullchain, old.KeyFile, null)],
            CertificatePollInterval = TimeSpan.FromMilliseconds(100),
            Refresh = Engine.Refresh.RefreshPolicy.Default with { FirstRetryDelay = TimeSpan.FromMilliseconds(300), MaxRetryDelayWithoutStaple = TimeSpan.FromSeconds(1) },
        }, log);

        var next = LabSite.Of(_lab.GoodLeaf(name)); // renewed: same name, new serial
        _lab.Responder.Fault = Engine.Lab.LabFault.Http500;
        try
        {
            File.Copy(next.Path, fullchain, overwrite: true);
            await Eventually.ValueOf(() => listener.Certificate.SerialNumber, s => s == next.Served.Certificate.SerialNumber);
            var unstapled = await SClient.StatusAsync(listener.Endpoint.Port, old.CaFile, name);
            Assert.Contains("Verify return code: 0 (ok)", unstapled.StdOut); // the new certificate is served...
            Assert.Contains("OCSP response: no response sent", unstapled.StdOut); // ...without the old one's staple
            Assert.Contains(log.Events, e => e.Contains("without a staple for now") && e.Contains("HTTP 500"));
        }
        finally
        {
            _lab.Responder.Fault = Engine.Lab.LabFault.None;
        }
        await Eventually.ValueOf(() => listener.Staple, s => s != null, timeoutMs: 5000);
        var stapled = await SClient.StatusAsync(listener.Endpoint.Port, old.CaFile, name);
        Assert.Contains($"Serial Number: {next.Served.Certificate.SerialNumber}", stapled.StdOut);
        Assert.Contains("Cert Status: good", stapled.StdOut);
    }

    private static async Task RejectedAsync(RecordingLog log, int times)
    {
        var seen = await Eventually.ValueOf(() => log.Warnings.Count(w => w.Contains("cannot be served")), n => n >= times);
        Assert.Equal(times, seen);
    }
}
