using System.Runtime.InteropServices;
using TorchSharp;

namespace Peft.Runtime.Torch;

/// <summary>
/// Flush-to-zero for subnormal floats on the calling thread (and the libtorch worker threads it starts later, which
/// inherit the setting). Subnormals appear when softmax probabilities or Adam's second moments underflow; x86 then
/// takes a microcode assist per operation and a training step can run tens of times slower. Results change only in
/// values below 1.2e-38. TorchSharp does not expose torch.set_flush_denormal, so this calls libtorch's own
/// at::globalContext().setFlushDenormal(bool) (Itanium ABI: the context is the first argument).
/// </summary>
public static unsafe class FloatingPoint
{
    private static readonly Lazy<(IntPtr Context, IntPtr Set)?> Entry = new(Find);

    /// <summary>True when the setting took effect on this thread (x86-64 Linux with libtorch's CPU library).</summary>
    public static bool FlushDenormals(bool enabled = true)
    {
        if (Entry.Value is not var (context, set)) return false;
        var ctx = ((delegate* unmanaged<IntPtr>)context)();
        return ((delegate* unmanaged<IntPtr, byte, byte>)set)(ctx, enabled ? (byte)1 : (byte)0) != 0;
    }

    private static (IntPtr, IntPtr)? Find()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return null;
        _ = torch.get_num_threads();   // makes TorchSharp load libtorch first
        if (!NativeLibrary.TryLoad("libtorch_cpu.so", typeof(torch).Assembly, null, out var library)) return null;
        return NativeLibrary.TryGetExport(library, "_ZN2at13globalContextEv", out var context)
            && NativeLibrary.TryGetExport(library, "_ZN2at7Context16setFlushDenormalEb", out var set)
            ? (context, set)
            : null;
    }
}
