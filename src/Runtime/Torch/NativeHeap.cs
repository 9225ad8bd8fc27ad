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

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
