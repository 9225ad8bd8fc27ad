using System.Runtime.InteropServices;

namespace Peft.Runtime.Storage;

/// <summary>
/// The two libc calls .NET has no managed equivalent for: <c>realpath</c> (every symbolic link in every component
/// resolved by the kernel's own rules, which a managed walk would have to re-implement) and fsync of a directory
/// (needed for a rename to survive a power cut; .NET refuses to open directories as files).
/// Linux only, as the server is.
/// </summary>
internal static partial class Posix
{
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;
    private const int EINVAL = 22;
    private const int O_RDONLY = 0;
    private const int O_CLOEXEC = 0x80000;

    /// <summary>The canonical absolute path, or null with the errno when it cannot be resolved.</summary>
    public static string? RealPath(string path, out int errno)
    {
        nint resolved = NativeRealPath(path, 0);
        if (resolved == 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }
        try
        {
            errno = 0;
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            NativeFree(resolved);
        }
    }

    /// <summary>True when the errno means "nothing there" rather than "cannot look".</summary>
    public static bool IsMissing(int errno) => errno is ENOENT or ENOTDIR;

    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    /// <summary>fsync of a directory: makes the entries created, renamed or removed in it durable.</summary>
    public static void FlushDirectory(string path)
    {
        int fd = NativeOpen(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            throw new IOException($"cannot open directory {path} to flush it: {Describe(Marshal.GetLastPInvokeError())}");
        try
        {
            // EINVAL: the file system has no directory sync (some network and FUSE mounts); nothing more can be done.
            if (NativeFsync(fd) != 0 && Marshal.GetLastPInvokeError() is int errno && errno != EINVAL)
                throw new IOException($"cannot flush directory {path}: {Describe(errno)}");
        }
        finally
        {
            _ = NativeClose(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial nint NativeRealPath(string path, nint resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void NativeFree(nint pointer);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int NativeOpen(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int NativeFsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int NativeClose(int fd);
}
