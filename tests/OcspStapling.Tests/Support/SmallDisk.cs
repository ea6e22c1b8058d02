using System.Diagnostics;

namespace OcspStapling.Tests.Support;

/// <summary>A tiny tmpfs mounted for one test, filled to the last byte: a full disk, for real ENOSPC errors.</summary>
public sealed class SmallDisk : IDisposable
{
    private SmallDisk(string path) => Path = path;

    public string Path { get; }

    /// <summary>True when this process may mount a tmpfs (root with CAP_SYS_ADMIN, as in CI and this workplace's machines).</summary>
    public static bool CanMount { get; } = Probe();

    public static SmallDisk MountFull(string path)
    {
        Directory.CreateDirectory(path);
        Run("mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", path);
        var disk = new SmallDisk(path);
        try
        {
            using var filler = File.OpenWrite(System.IO.Path.Combine(path, "filler"));
            var block = new byte[4096];
            while (true)
                filler.Write(block); // until ENOSPC
        }
        catch (IOException)
        {
        }
        return disk;
    }

    public void Dispose() => Run("umount", "-l", Path);

    private static bool Probe()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ocspstaple-mountprobe-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        try
        {
            Run("mount", "-t", "tmpfs", "-o", "size=4k", "tmpfs", path);
            Run("umount", path);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        finally
        {
            Directory.Delete(path);
        }
    }

    private static void Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        try
        {
            using var process = Process.Start(info)!;
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{program} {string.Join(' ', args)}: {process.StandardError.ReadToEnd()}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(e.Message, e);
        }
    }
}

/// <summary>A test that fills a disk: skipped, with the reason, where this process may not mount a tmpfs.</summary>
public sealed class FullDiskFactAttribute : FactAttribute
{
    public FullDiskFactAttribute()
    {
        if (!SmallDisk.CanMount)
            Skip = "needs permission to mount a small tmpfs (root with CAP_SYS_ADMIN) to stage a full disk";
    }
}
