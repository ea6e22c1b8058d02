using OcspStapling.Engine;
using OcspStapling.Engine.Tls;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Peers;

/// <summary>A store the listener cannot use: refused by name when it was named, kept in memory when it was only the default.</summary>
public sealed class ListenerStoreTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public ListenerStoreTests(LabResponderFixture lab) => _lab = lab;

    [PeerFact("openssl")]
    public async Task An_unusable_named_store_is_refused_and_an_unusable_default_one_falls_back_to_memory()
    {
        var site = LabSite.Of(_lab.GoodLeaf("store-fallback.example.test"));
        using var files = new TempDirectory();
        var notADirectory = files.File("store");
        File.WriteAllText(notADirectory, "a file where the store should be");
        var options = ListenerFiles.Options(site.Path) with { Certificates = [site.Served], Store = notADirectory };

        var refused = await Assert.ThrowsAsync<StaplingException>(() => StaplingListener.StartAsync(options));
        Assert.Contains(notADirectory, refused.Message);

        var log = new RecordingLog();
        await using var listener = await StaplingListener.StartAsync(options with { StoreOptional = true }, log);
        Assert.Contains(log.Warnings, w => w.Contains(notADirectory) && w.Contains("kept in memory only"));
        var seen = await SClient.StatusAsync(listener.Endpoint.Port, site.CaFile, site.Name);
        Assert.Contains("Cert Status: good", seen.StdOut);
    }
}
