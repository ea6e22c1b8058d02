using Microsoft.Win32.SafeHandles;

namespace OcspStapling.Engine.Files;

/// <summary>A file could not be read as asked; the message says why in words that fit after "Cannot read 'path': ".</summary>
public sealed class FileRefusedException : IOException
{
    public FileRefusedException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>
/// Reads files whose content is untrusted or whose path may be wrong: only regular files (a FIFO would block for
/// ever, /dev/zero never ends), never more than a cap however the file grows while being read.
/// </summary>
public static class RegularFile
{
    /// <summary>The whole file; throws <see cref="FileRefusedException"/> for a missing, special or oversized one.</summary>
    public static byte[] Read(string path, long maxBytes) =>
        TryRead(path, maxBytes, followLinks: true) ?? throw new FileRefusedException("the file does not exist; check the path");

    /// <summary>
    /// The file, or null when there is none. With <paramref name="followLinks"/> false, a symbolic link reads as
    /// null too: callers that replace files use this to compare, and a link is replaced, never read through.
    /// </summary>
    public static byte[]? TryRead(string path, long maxBytes, bool followLinks)
    {
        try
        {
            using var handle = OpenRegular(path, followLinks);
            return handle == null ? null : ReadCapped(handle, maxBytes);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (UnauthorizedAccessException e)
        {
            throw new FileRefusedException($"permission denied ({e.Message})", e);
        }
        catch (IOException e) when (e is not FileRefusedException)
        {
            throw new FileRefusedException(e.Message, e);
        }
    }

    private static SafeFileHandle? OpenRegular(string path, bool followLinks)
    {
        if (!PosixFiles.Supported)
        {
            if (Directory.Exists(path))
                throw new FileRefusedException("it is a directory, not a file");
            return File.Exists(path) ? File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite) : null;
        }
        SafeFileHandle handle;
        try
        {
            // Non-blocking, so opening a FIFO returns at once and is refused below instead of waiting for a writer.
            handle = PosixFiles.Open(path, PosixFiles.ReadOnly | PosixFiles.NonBlocking | (followLinks ? 0 : PosixFiles.NoFollow));
        }
        catch (IOException e) when (e.HResult is 2 or 20)
        {
            return null;
        }
        catch (IOException e) when (e.HResult == PosixFiles.ELoop && !followLinks)
        {
            return null;
        }
        catch (IOException e) when (e.HResult is 13 or 1)
        {
            throw new FileRefusedException($"permission denied", e);
        }
        var facts = PosixFiles.Stat(handle);
        if (!facts.IsRegular)
        {
            handle.Dispose();
            throw new FileRefusedException($"it is {facts.Kind}, not a regular file");
        }
        return handle;
    }

    private static byte[] ReadCapped(SafeFileHandle handle, long maxBytes)
    {
        // Most files are read whole in one go into a buffer of their size; one that grows meanwhile (or reports no
        // length, as /proc files do) is read on in chunks, still capped.
        var length = RandomAccess.GetLength(handle);
        if (length > 0 && length <= maxBytes)
        {
            var exact = new byte[length];
            var filled = 0;
            int got;
            while (filled < exact.Length && (got = RandomAccess.Read(handle, exact.AsSpan(filled), filled)) > 0)
                filled += got;
            Span<byte> probe = stackalloc byte[1];
            if (filled == exact.Length && RandomAccess.Read(handle, probe, filled) == 0)
                return exact;
        }
        var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        long offset = 0;
        while (true)
        {
            var read = RandomAccess.Read(handle, chunk, offset);
            if (read == 0)
                return buffer.ToArray();
            offset += read;
            if (offset > maxBytes)
                throw new FileRefusedException($"it is larger than {maxBytes} bytes, too large for what it should hold");
            buffer.Write(chunk, 0, read);
        }
    }
}
