using OcspStapling.Engine.Export;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Core;

/// <summary>Files are replaced whole: readers see the old bytes or the new, and nothing is left behind.</summary>
public sealed class AtomicFileTests
{
    [Fact]
    public void Write_replaces_the_file_and_leaves_no_temporary_file()
    {
        using var dir = new TempDirectory();
        var path = dir.File("staple.der");

        AtomicFile.Write(path, new byte[] { 1, 2, 3 });
        AtomicFile.Write(path, new byte[] { 4, 5 });

        Assert.Equal(new byte[] { 4, 5 }, File.ReadAllBytes(path));
        Assert.Equal(new[] { "staple.der" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void A_reader_holding_the_old_file_keeps_reading_the_old_bytes()
    {
        using var dir = new TempDirectory();
        var path = dir.File("staple.der");
        AtomicFile.Write(path, new byte[] { 1, 2, 3 });

        using var reader = File.OpenRead(path);
        AtomicFile.Write(path, new byte[] { 9, 9, 9, 9 });
        var seen = new byte[8];
        var read = reader.Read(seen);

        Assert.Equal(new byte[] { 1, 2, 3 }, seen[..read]);
        Assert.Equal(new byte[] { 9, 9, 9, 9 }, File.ReadAllBytes(path));
    }

    [Fact]
    public void WriteViaSpare_exchanges_with_a_spare_instead_of_allocating_a_new_file()
    {
        using var dir = new TempDirectory();
        var path = dir.File("entry.json");

        AtomicFile.WriteViaSpare(path, "first"u8);
        AtomicFile.WriteViaSpare(path, "second"u8);
        var inode = new FileInfo(dir.File(".entry.json.spare"));
        AtomicFile.WriteViaSpare(path, "third, longer"u8);

        Assert.Equal("third, longer", File.ReadAllText(path));
        if (OperatingSystem.IsLinux())
        {
            // The spare now holds the content before last: the two files swapped places, no third one was made.
            Assert.True(inode.Exists);
            Assert.Equal("second", File.ReadAllText(dir.File(".entry.json.spare")));
            Assert.Equal(2, Directory.GetFiles(dir.Path, "*", SearchOption.AllDirectories).Length);
        }
    }
}
