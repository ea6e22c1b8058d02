using OcspStapling.Cli;
using OcspStapling.Engine.Protocol;
using OcspStapling.Engine.Store;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Refresh;

/// <summary>
/// A store entry whose sidecar vouches for its staple (the staple's hash) gives its answer without decoding the
/// staple; one whose staple was changed behind the sidecar's back is decoded, and a damaged one reads as none.
/// </summary>
public sealed class StoreEntryTests : IClassFixture<LabResponderFixture>
{
    private readonly LabResponderFixture _lab;

    public StoreEntryTests(LabResponderFixture lab) => _lab = lab;

    [Fact]
    public async Task The_sidecar_answers_for_its_own_staple_and_a_staple_changed_behind_its_back_is_decoded_or_refused()
    {
        using var dir = new TempDirectory();
        var first = _lab.GoodLeaf("entry-a.example.test");
        var second = _lab.GoodLeaf("entry-b.example.test");
        var run = await CliRunner.RunAsync("update", first, second, "--store", dir.File("store"), "--json");
        Assert.True(run.ExitCode == ExitCodes.Good, run.ToString());
        var store = new StapleStore(dir.File("store"));
        var (a, b) = (run.Sites[0].GetProperty("thumbprint").GetString()!, run.Sites[1].GetProperty("thumbprint").GetString()!);

        var vouched = store.Read(a)!;
        var decoded = vouched.Response!.Responses[0];
        Assert.IsType<StoredAnswer>(vouched.Answer);
        Assert.Equal((decoded.CertStatus, decoded.ThisUpdate, decoded.NextUpdate), (vouched.Answer!.CertStatus, vouched.Answer.ThisUpdate, vouched.Answer.NextUpdate));

        File.Copy(store.StaplePath(b), store.StaplePath(a), overwrite: true); // another certificate's staple, by hand
        var swapped = store.Read(a)!;
        Assert.IsType<SingleResponse>(swapped.Answer);
        Assert.Null(swapped.Metadata!.NextRefresh); // the sidecar describes another staple: its schedule is dropped

        File.WriteAllBytes(store.StaplePath(a), new byte[] { 0x30, 0x03, 0x0a, 0x01 });
        var damaged = store.Read(a)!;
        Assert.Null(damaged.Staple);
        Assert.Null(damaged.Answer);
    }
}
