using System.Runtime.InteropServices;

namespace OcspStapling.Engine.Tls.OpenSsl;

/// <summary>The Linux calls of the handshake loop: epoll, accept4 and an eventfd to wake it for stopping.</summary>
internal static unsafe class LibC
{
    public const uint EpollIn = 0x001;
    public const uint EpollOut = 0x004;
    public const uint EpollRdHup = 0x2000;
    public const uint EpollExclusive = 1u << 28;
    public const uint EpollEdgeTriggered = 1u << 31;
    private const int EpollCtlAdd = 1;
    private const int EpollCtlDel = 2;
    public const int CloseOnExec = 0x80000; // EPOLL_CLOEXEC
    public const int NonBlockingCloseOnExec = 0x800 | CloseOnExec; // SOCK_NONBLOCK | SOCK_CLOEXEC, same values as EFD_
    public const int EIntr = 4;
    public const int ENFile = 23;
    public const int EMFile = 24;

    // struct epoll_event is packed (12 bytes) on x86-64 and naturally aligned (16 bytes) elsewhere.
    public static readonly int EventSize = RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86 ? 12 : 16;
    private static readonly int DataOffset = EventSize == 12 ? 4 : 8;

    /// <summary>The fd stored with the event at <paramref name="index"/> in an epoll_wait buffer.</summary>
    public static int FdOf(byte* events, int index) => (int)*(ulong*)(events + index * EventSize + DataOffset);

    public static int Add(int epoll, int fd, uint events) => Control(epoll, EpollCtlAdd, fd, events);

    public static int Remove(int epoll, int fd) => Control(epoll, EpollCtlDel, fd, 0);

    private static int Control(int epoll, int operation, int fd, uint events)
    {
        var ev = stackalloc byte[16];
        *(uint*)ev = events;
        *(ulong*)(ev + DataOffset) = (ulong)fd;
        return epoll_ctl(epoll, operation, fd, ev);
    }

    [DllImport("libc", SetLastError = true)] public static extern int epoll_create1(int flags);
    [DllImport("libc", SetLastError = true)] private static extern int epoll_ctl(int epoll, int operation, int fd, byte* ev);
    [DllImport("libc", SetLastError = true)] public static extern int epoll_wait(int epoll, byte* events, int maxEvents, int timeoutMs);
    [DllImport("libc", SetLastError = true)] public static extern int accept4(int fd, IntPtr address, IntPtr addressLength, int flags);
    [DllImport("libc", SetLastError = true)] public static extern int eventfd(uint initial, int flags);
    [DllImport("libc", SetLastError = true)] public static extern nint write(int fd, byte* buffer, nint count);
    [DllImport("libc", SetLastError = true)] public static extern int setsockopt(int fd, int level, int name, int* value, int length);
    [DllImport("libc", SetLastError = true)] public static extern int close(int fd);

    public static void SetNoDelay(int fd)
    {
        var one = 1;
        setsockopt(fd, 6 /* IPPROTO_TCP */, 1 /* TCP_NODELAY */, &one, sizeof(int));
    }

    /// <summary>Makes an eventfd readable, waking every epoll that watches it.</summary>
    public static void Signal(int eventFd)
    {
        ulong one = 1;
        write(eventFd, (byte*)&one, sizeof(ulong));
    }
}
