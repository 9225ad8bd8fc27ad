using System.Runtime.InteropServices;
using TorchSharp;

namespace Peft.Runtime.Torch;

/// <summary>
/// The address of a CPU tensor's first element, for kernels that read and write tensor memory in place. Valid while
/// the tensor lives; libtorch never moves a storage. One call into LibTorchSharp (the tensor's data pointer, storage
/// offset included): a step asks for a few thousand of these, and the first element of a strided view used to cost a
/// narrow per dimension (microseconds each, most of the LoRA expand's own time at few slots; docs/benchmarks.md).
/// </summary>
internal static unsafe partial class TensorMemory
{
    public static void* Pointer(torch.Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.device_type != DeviceType.CPU || !tensor.is_contiguous())
            throw new ArgumentException("expected a contiguous CPU tensor", nameof(tensor));
        return Data(tensor);
    }

    /// <summary>The address of a strided CPU tensor's first element (its storage offset included), for kernels that walk
    /// it by its strides.</summary>
    public static void* FirstElement(torch.Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.device_type != DeviceType.CPU) throw new ArgumentException("expected a CPU tensor", nameof(tensor));
        return Data(tensor);
    }

    private static void* Data(torch.Tensor tensor)
    {
        if (tensor.numel() == 0) throw new ArgumentException("expected a non-empty tensor", nameof(tensor));
        nint data = THSTensor_data(tensor.Handle);
        GC.KeepAlive(tensor);
        if (data != 0) return (void*)data;
        // LibTorchSharp caught libtorch's exception and kept its message for the thread: take it, so that no later
        // TorchSharp call on this thread reports it as its own.
        nint error = THSTorch_get_and_reset_last_err();
        throw new ArgumentException($"the tensor has no data in memory{(error == 0 ? "" : $": {Marshal.PtrToStringUTF8(error)}")}", nameof(tensor));
    }

    [LibraryImport("LibTorchSharp")]
    private static partial nint THSTensor_data(nint tensor);

    [LibraryImport("LibTorchSharp")]
    private static partial nint THSTorch_get_and_reset_last_err();
}
