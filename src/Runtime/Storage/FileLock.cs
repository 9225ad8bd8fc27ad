using Microsoft.Win32.SafeHandles;

namespace Peft.Runtime.Storage;

/// <summary>
/// An exclusive flock(2) on a lock file, held until disposed or until the process ends (the kernel releases it on
/// a crash, so a lock never outlives its holder). Advisory: it excludes only those who take it too. Lock files are
/// never deleted, so every taker locks the same file: deleting one while another process is between its open and
/// its flock would let two holders lock two different files of one name.
/// </summary>
internal sealed class FileLock : IDisposable
{
    private readonly SafeFileHandle _handle;

    private FileLock(SafeFileHandle handle, string path)
    {
        _handle = handle;
        Path = path;
    }

    public string Path { get; }

    /// <summary>The lock, or null when someone else holds it now.</summary>
    public static FileLock? TryAcquire(string path)
    {
        var handle = Posix.OpenLockFile(path);
        try
        {
            if (Posix.TryLockExclusive(handle, path)) return new FileLock(handle, path);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
        handle.Dispose();
        return null;
    }

    /// <summary>Waits for the lock, polling: flock has no timed wait, and a holder that hangs (a stopped process,
    /// a stuck network file system) must fail the waiter with a message rather than hold it forever.</summary>
    /// <param name="busy">Called once when the first attempt finds the lock held (a test seam).</param>
    /// <exception cref="TimeoutException">Still held by someone else after <paramref name="timeout"/>.</exception>
    public static FileLock Acquire(string path, TimeSpan timeout, Action? busy = null)
    {
        if (TryAcquire(path) is { } taken) return taken;
        busy?.Invoke();
        long started = Environment.TickCount64;
        int pause = 1;
        while (true)
        {
            Thread.Sleep(pause);
            if (TryAcquire(path) is { } later) return later;
            if (Environment.TickCount64 - started > timeout.TotalMilliseconds)
                throw new TimeoutException($"{path} stayed locked by another process for {timeout.TotalSeconds:F0} s");
            pause = Math.Min(pause * 2, 50);
        }
    }

    public void Dispose() => _handle.Dispose();
}
