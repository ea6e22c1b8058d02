using OcspStapling.Engine.Lab;

namespace OcspStapling.Tests.Support;

/// <summary>A lab PKI, its in-process responder, and a directory of files for one test class.</summary>
public sealed class LabResponderFixture : IAsyncLifetime
{
    public LabPki Pki { get; } = LabPki.Create();

    public LabResponder Responder { get; private set; } = null!;

    public TempDirectory Directory { get; } = new();

    public Task InitializeAsync()
    {
        Responder = new LabResponder(Pki);
        return Task.CompletedTask;
    }

    /// <summary>A leaf the responder answers "good" for, written with its chain; returns the fullchain path.</summary>
    public string GoodLeaf(string name, IEnumerable<string>? ocspUrls = null, IEnumerable<string>? caIssuers = null, bool mustStaple = false)
    {
        var leaf = Pki.IssueLeaf(name, ocspUrls ?? new[] { Responder.Url.ToString() }, mustStaple, caIssuers);
        Responder.Add(leaf);
        var dir = System.IO.Directory.CreateDirectory(Path.Combine(Directory.Path, name)).FullName;
        LabFiles.WriteAll(dir, Pki, leaf);
        return Path.Combine(dir, "fullchain.pem");
    }

    /// <summary>A directory of <paramref name="count"/> good leaves as site0.pem, site1.pem, … (full chains).</summary>
    public string SiteDirectory(string name, int count)
    {
        var dir = System.IO.Directory.CreateDirectory(Path.Combine(Directory.Path, name)).FullName;
        for (var i = 0; i < count; i++)
            File.Copy(GoodLeaf($"{name}{i}.example.test"), Path.Combine(dir, $"site{i}.pem"));
        return dir;
    }

    public async Task DisposeAsync()
    {
        await Responder.DisposeAsync();
        Pki.Dispose();
        Directory.Dispose();
    }
}
