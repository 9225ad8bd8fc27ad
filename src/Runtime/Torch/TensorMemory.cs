using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;

namespace Peft.Runtime.Torch;

/// <summary>
/// The address of a contiguous CPU tensor's first element, for kernels that read and write tensor memory in place.
/// Valid while the tensor lives; libtorch never moves a storage.
/// </summary>
internal static unsafe class TensorMemory
{
    public static void* Pointer(torch.Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.device_type != DeviceType.CPU || !tensor.is_contiguous())
            throw new ArgumentException("expected a contiguous CPU tensor", nameof(tensor));
        if (tensor.numel() == 0) throw new ArgumentException("expected a non-empty tensor", nameof(tensor));
        if (tensor.numel() * tensor.element_size() <= int.MaxValue) return First(tensor.bytes);
        // Span<byte> cannot cover more than int.MaxValue bytes: take the address of a one-element view instead.
        using var flat = tensor.reshape(-1);
        using var first = flat.narrow(0, 0, 1);
        return First(first.bytes);
    }

    /// <summary>The address of a strided CPU tensor's first element (its storage offset included), for kernels that walk
    /// it by its strides.</summary>
    public static void* FirstElement(torch.Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.is_contiguous()) return Pointer(tensor);
        using var scope = torch.NewDisposeScope();
        var first = tensor;
        for (int d = 0; d < tensor.dim(); d++) first = first.narrow(d, 0, 1);   // one element: contiguous whatever the strides
        return Pointer(first);
    }

    private static void* First(Span<byte> bytes) => Unsafe.AsPointer(ref MemoryMarshal.GetReference(bytes));
}
