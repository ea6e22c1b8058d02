using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Hostile;

/// <summary>The committed responses from independent implementations (tests/corpus, see its README).</summary>
public static class Corpus
{
    public static string Directory => Path.Combine(RepoRoot.Path, "tests", "corpus");

    public static IReadOnlyList<string> ResponseFiles =>
        System.IO.Directory.GetFiles(Directory, "*.der", SearchOption.AllDirectories).Order().ToList();

    public static TheoryData<string> Names
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var file in ResponseFiles)
                data.Add(Path.GetRelativePath(Directory, file));
            return data;
        }
    }
}
