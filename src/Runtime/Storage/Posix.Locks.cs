using Microsoft.Win32.SafeHandles;
using System.Runtime.InteropServices;

namespace Peft.Runtime.Storage;

/// <summary>
/// flock(2) on a lock file, called directly rather than through <c>FileShare.None</c>: .NET's FileStream takes the
/// same lock but ignores every failure other than "held by someone else" (a file system without locks would then
/// silently lock nothing), and <c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c> turns it off. Here a lock that cannot be
/// taken is an error.
/// </summary>
internal static partial class Posix
{
    private const int O_RDWR = 2;
    private const int O_CREAT = 0x40;
    private const int LOCK_EX = 2;
    private const int LOCK_NB = 4;
    private const int EWOULDBLOCK = 11;
    private const int EINTR = 4;
    private const uint ReadWriteForOwner = 0x1A4;   // 0644

    /// <summary>Opens (creating when missing) a file to lock; the lock goes with the returned handle.</summary>
    public static SafeFileHandle OpenLockFile(string path)
    {
        int fd = NativeOpenCreate(path, O_RDWR | O_CREAT | O_CLOEXEC, ReadWriteForOwner);
        if (fd < 0)
            throw new IOException($"cannot open lock file {path}: {Describe(Marshal.GetLastPInvokeError())}");
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Takes the exclusive lock of <paramref name="handle"/>'s open file description without waiting.
    /// Closing the handle (or the process ending) releases it.</summary>
    /// <returns>False when another open file description holds it, in this process or another.</returns>
    public static bool TryLockExclusive(SafeFileHandle handle, string path)
    {
        ArgumentNullException.ThrowIfNull(handle);
        while (true)
        {
            if (NativeFlock(handle, LOCK_EX | LOCK_NB) == 0) return true;
            int errno = Marshal.GetLastPInvokeError();
            if (errno == EWOULDBLOCK) return false;
            if (errno != EINTR)
                throw new IOException($"cannot lock {path}: {Describe(errno)} (the file system must support flock(2) locks)");
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int NativeOpenCreate(string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int NativeFlock(SafeFileHandle fd, int operation);
}
