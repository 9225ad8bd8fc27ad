using System.Runtime.InteropServices;

namespace Peft.Runtime.Torch;

/// <summary>
/// glibc's heap, where libtorch's CPU allocator gets tensors below the mmap threshold (an adapter's factors, for
/// instance). Freed chunks stay mapped in their arena until something trims it, so after dropping many tensors at
/// once (host copies of adapters) the process would keep their pages resident; <see cref="Trim"/> hands free pages
/// of every arena back to the kernel.
/// </summary>
internal static partial class NativeHeap
{
    private static bool s_unavailable = !OperatingSystem.IsLinux();

    /// <summary>Returns free heap pages to the kernel (glibc only; elsewhere nothing happens). The engine calls this
    /// from its loop, so a C library without it is remembered, never thrown.</summary>
    public static void Trim()
    {
        if (s_unavailable) return;
        try
        {
            _ = MallocTrim(0);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // Not glibc (musl has no malloc_trim): its allocator returns memory its own way.
            s_unavailable = true;
        }
    }

    /// <summary>The process's resident bytes (Linux: /proc/self/statm); null where that is not known.</summary>
    public static long? ResidentBytes()
    {
        try
        {
            var fields = File.ReadAllText("/proc/self/statm").Split(' ', 3);
            return long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>
    /// Keeps what steps free in the heap for the next steps, instead of glibc's own handing back: chunks up to
    /// <see cref="MmapThreshold"/> come from the arenas rather than mappings of their own (a freed mapping is gone, and
    /// the next step's tensor of that size faults every page in again), and the top of an arena is returned only beyond
    /// <see cref="TrimThreshold"/>. glibc moves both limits itself as chunks come and go, and a batch-32 decode step
    /// still faulted 300 to 800 pages in (each about 10 µs on this virtual machine); with them fixed, a wave after the
    /// first faults almost none. Memory goes back to the kernel when the engine trims (<see cref="Trim"/>). glibc only.
    /// </summary>
    /// <returns>Whether the C library took both settings (false where it is not glibc).</returns>
    public static bool KeepFreedMemory()
    {
        if (s_unavailable) return false;
        try
        {
            bool trim = Mallopt(MTrimThreshold, TrimThreshold) == 1;
            bool mmap = Mallopt(MMmapThreshold, MmapThreshold) == 1;   // set even when the first was refused
            return trim && mmap;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            s_unavailable = true;
            return false;
        }
    }

    private const int MTrimThreshold = -1;
    private const int MMmapThreshold = -3;

    /// <summary>glibc's largest mmap threshold on 64-bit (a step's largest tensors, the logits, are a few MiB).</summary>
    private const int MmapThreshold = 32 << 20;

    private const int TrimThreshold = 256 << 20;

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int Mallopt(int parameter, int value);
}
