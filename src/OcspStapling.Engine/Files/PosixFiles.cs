using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace OcspStapling.Engine.Files;

/// <summary>What a file is, from statx: arch-independent, unlike struct stat.</summary>
internal readonly record struct FileFacts(uint Mode, uint Uid, uint Gid, uint Links, long Size)
{
    private const uint TypeMask = 0xF000;

    public bool IsRegular => (Mode & TypeMask) == 0x8000;

    public bool IsDirectory => (Mode & TypeMask) == 0x4000;

    public bool IsSymlink => (Mode & TypeMask) == 0xA000;

    /// <summary>Permission and sticky bits, as chmod shows them.</summary>
    public uint Permissions => Mode & 0xFFF;

    public string Kind => (Mode & TypeMask) switch
    {
        0x8000 => "a regular file",
        0x4000 => "a directory",
        0xA000 => "a symbolic link",
        0x1000 => "a FIFO (named pipe)",
        0x2000 => "a character device",
        0x6000 => "a block device",
        0xC000 => "a socket",
        _ => "not a regular file",
    };
}

/// <summary>
/// The few POSIX calls .NET does not offer: open without following links or blocking on FIFOs, statx, fchown,
/// flock. Linux only (glibc or musl); callers keep the plain .NET path for Windows.
/// </summary>
internal static unsafe class PosixFiles
{
    public const int ReadOnly = 0x0;
    public const int WriteOnly = 0x1;
    public const int ReadWrite = 0x2;
    public const int Create = 0x40;
    public const int NonBlocking = 0x800;
    public const int NoFollow = 0x20000;
    public const int CloseOnExec = 0x80000;
    private const int EmptyPath = 0x1000; // AT_EMPTY_PATH
    private const int SymlinkNoFollow = 0x100; // AT_SYMLINK_NOFOLLOW
    private const int CurrentDirectory = -100; // AT_FDCWD
    private const uint BasicStats = 0x7ff; // STATX_BASIC_STATS
    private const int LockExclusive = 2, LockNonBlocking = 4; // LOCK_EX, LOCK_NB
    public const int ELoop = 40;
    public const int EWouldBlock = 11;
    public const int EIntr = 4;

    [System.Runtime.Versioning.SupportedOSPlatformGuard("linux")]
    public static bool Supported => OperatingSystem.IsLinux();

    /// <summary>Opens a path; the handle owns the descriptor. Fails with the errno in the exception's HResult.</summary>
    public static SafeFileHandle Open(string path, int flags, uint createMode = 0)
    {
        int fd;
        do
            fd = open(path, flags | CloseOnExec, createMode);
        while (fd < 0 && Marshal.GetLastPInvokeError() == EIntr);
        if (fd < 0)
            throw Error(path);
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    public static FileFacts Stat(SafeFileHandle handle)
    {
        var buffer = stackalloc byte[256];
        bool added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            if (statx((int)handle.DangerousGetHandle(), "", EmptyPath, BasicStats, buffer) != 0)
                throw Error("(open file)");
        }
        finally
        {
            if (added)
                handle.DangerousRelease();
        }
        return Read(buffer);
    }

    /// <summary>The path itself (a link is not followed); null when nothing is there.</summary>
    public static FileFacts? StatPath(string path)
    {
        var buffer = stackalloc byte[256];
        if (statx(CurrentDirectory, path, SymlinkNoFollow, BasicStats, buffer) == 0)
            return Read(buffer);
        var errno = Marshal.GetLastPInvokeError();
        if (errno is 2 or 20) // ENOENT, ENOTDIR
            return null;
        throw Error(path, errno);
    }

    /// <summary>flock(LOCK_EX | LOCK_NB): false when another holder has it.</summary>
    public static bool TryLock(SafeFileHandle handle)
    {
        bool added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            while (true)
            {
                if (flock((int)handle.DangerousGetHandle(), LockExclusive | LockNonBlocking) == 0)
                    return true;
                var errno = Marshal.GetLastPInvokeError();
                if (errno == EWouldBlock)
                    return false;
                if (errno != EIntr)
                    throw Error("(lock file)", errno);
            }
        }
        finally
        {
            if (added)
                handle.DangerousRelease();
        }
    }

    /// <summary>Gives the file the owner and group another file had (root replacing a file it does not own).</summary>
    public static void ChangeOwner(SafeFileHandle handle, uint uid, uint gid)
    {
        bool added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            if (fchown((int)handle.DangerousGetHandle(), uid, gid) != 0)
                throw Error("(new file)");
        }
        finally
        {
            if (added)
                handle.DangerousRelease();
        }
    }

    public static uint EffectiveUid => geteuid();

    public static uint EffectiveGid => getegid();

    private static FileFacts Read(byte* statxBuffer) => new(
        Mode: *(ushort*)(statxBuffer + 28),
        Uid: *(uint*)(statxBuffer + 20),
        Gid: *(uint*)(statxBuffer + 24),
        Links: *(uint*)(statxBuffer + 16),
        Size: (long)*(ulong*)(statxBuffer + 40));

    private static IOException Error(string path, int? errno = null)
    {
        var code = errno ?? Marshal.GetLastPInvokeError();
        return new IOException($"{Marshal.GetPInvokeErrorMessage(code)}", code);
    }

    [DllImport("libc", SetLastError = true)] private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mode);
    [DllImport("libc", SetLastError = true)] private static extern int statx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte* buffer);
    [DllImport("libc", SetLastError = true)] private static extern int flock(int fd, int operation);
    [DllImport("libc", SetLastError = true)] private static extern int fchown(int fd, uint uid, uint gid);
    [DllImport("libc")] private static extern uint geteuid();
    [DllImport("libc")] private static extern uint getegid();
}
