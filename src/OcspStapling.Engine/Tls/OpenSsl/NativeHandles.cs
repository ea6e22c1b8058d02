using System.Runtime.InteropServices;

namespace OcspStapling.Engine.Tls.OpenSsl;

/// <summary>
/// An SSL_CTX and the GCHandle its status callback receives. Every <see cref="SslHandle"/> made from it holds a
/// reference, so the context (and the callback's target) outlive every connection that uses them, whatever order
/// disposal happens in; release is once, by the SafeHandle's own reference count.
/// </summary>
internal sealed class SslContextHandle : SafeHandle
{
    private GCHandle _callbackTarget;

    public SslContextHandle() : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    public static SslContextHandle Create()
    {
        var context = new SslContextHandle();
        context.SetHandle(LibSsl.SSL_CTX_new(LibSsl.TLS_server_method()));
        if (context.IsInvalid)
            throw new InvalidOperationException($"OpenSSL could not create a TLS server context: {LibSsl.TakeErrors()}");
        return context;
    }

    /// <summary>Keeps <paramref name="target"/> reachable for the status callback until the context is freed.</summary>
    public IntPtr Pin(object target)
    {
        _callbackTarget = GCHandle.Alloc(target);
        return GCHandle.ToIntPtr(_callbackTarget);
    }

    protected override bool ReleaseHandle()
    {
        LibSsl.SSL_CTX_free(handle);
        if (_callbackTarget.IsAllocated)
            _callbackTarget.Free();
        return true;
    }
}

/// <summary>One connection's SSL object; it keeps its context alive and is freed exactly once.</summary>
internal sealed class SslHandle : SafeHandle
{
    private readonly SslContextHandle? _context;

    public SslHandle() : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    private SslHandle(SslContextHandle context) : base(IntPtr.Zero, ownsHandle: true) => _context = context;

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>A new SSL object for <paramref name="context"/>, or null when OpenSSL cannot make one (out of memory).</summary>
    public static SslHandle? Create(SslContextHandle context)
    {
        var added = false;
        context.DangerousAddRef(ref added);
        var ssl = new SslHandle(context);
        ssl.SetHandle(LibSsl.SSL_new(context.DangerousGetHandle()));
        if (!ssl.IsInvalid)
            return ssl;
        ssl.SetHandleAsInvalid();
        context.DangerousRelease();
        return null;
    }

    protected override bool ReleaseHandle()
    {
        LibSsl.SSL_free(handle); // with its BIOs; they never close the socket
        _context?.DangerousRelease();
        return true;
    }
}

/// <summary>A Linux descriptor this process opened (epoll, eventfd), closed exactly once.</summary>
internal sealed class DescriptorHandle : SafeHandle
{
    public DescriptorHandle(int fd) : base(new IntPtr(-1), ownsHandle: true) => SetHandle(new IntPtr(fd));

    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>The descriptor number, for calls that take it while this handle is known to be alive.</summary>
    public int Fd => (int)handle;

    protected override bool ReleaseHandle() => LibC.close((int)handle) == 0;
}
