using System.Runtime.InteropServices;
using TorchSharp;

namespace Peft.Runtime.Torch;

/// <summary>
/// Moves long-lived CPU tensors that every step streams through (the base model's float weights) onto 2 MiB pages.
/// The LoRA slot pools are left: only slots that were loaded are resident, and 2 MiB pages would make a few slots
/// cost whole pages. A decode step reads every weight once; on 4 KiB pages that is a TLB miss and a page walk every 4 KiB, and the
/// transparent huge pages this kernel is configured with ("madvise") come only to memory that asks. Measured in pairs
/// over the bench model's 57 matrices on 2 threads: 4% off one row's matmul time, 8% off 32 rows' (docs/benchmarks.md).
/// Linux only; where the kernel refuses (no THP, no MADV_COLLAPSE before 6.1, or PEFT_HUGE_PAGES=0) nothing changes
/// but the page size, so nothing is reported.
/// </summary>
internal static partial class HugePages
{
    private const long PageBytes = 2L << 20;
    private const int MadvHugePage = 14;
    private const int MadvCollapse = 25;

    private static bool s_unavailable = !OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("PEFT_HUGE_PAGES") == "0";

    /// <summary>Asks for huge pages over the whole 2 MiB pages inside the tensor's memory and collapses the pages it
    /// already has into them now (at load, not during the first steps). A tensor smaller than a huge page is left.</summary>
    public static unsafe void Advise(torch.Tensor tensor)
    {
        if (s_unavailable || tensor.device_type != DeviceType.CPU || !tensor.is_contiguous() || tensor.numel() == 0) return;
        long bytes = tensor.numel() * tensor.element_size();
        if (bytes < PageBytes) return;
        long first = (long)TensorMemory.Pointer(tensor);
        long start = (first + PageBytes - 1) & ~(PageBytes - 1), end = (first + bytes) & ~(PageBytes - 1);
        if (end <= start) return;
        try
        {
            if (Madvise((nint)start, (nuint)(end - start), MadvHugePage) == 0)
                _ = Madvise((nint)start, (nuint)(end - start), MadvCollapse);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            s_unavailable = true;
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);
}
