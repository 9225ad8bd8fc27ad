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
    /// <summary>Returns free heap pages to the kernel (glibc only; elsewhere nothing happens).</summary>
    public static void Trim()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            _ = MallocTrim(0);
        }
        catch (EntryPointNotFoundException)
        {
            // Not glibc (musl has no malloc_trim): its allocator returns memory its own way.
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
