using TorchSharp;

namespace Peft.Runtime.Safetensors;

/// <summary>
/// Direct access to the native bytes of a contiguous CPU tensor, so file I/O goes straight between the file and the
/// tensor's storage with no managed copy in between.
/// </summary>
internal static class TensorStorage
{
    /// <summary>
    /// <see cref="torch.Tensor.bytes"/> is a <see cref="Span{T}"/>, which cannot address more than int.MaxValue
    /// bytes; larger tensors (a 128k x 8k F32 embedding is 4 GiB) are visited in element-aligned chunks of at most this.
    /// </summary>
    public const long DefaultMaxChunkBytes = 1L << 30;

    public delegate void ChunkAction(Span<byte> chunk, long byteOffset);

    /// <summary>
    /// Calls <paramref name="action"/> with consecutive spans that together cover all of the tensor's bytes, in order.
    /// The spans point into native memory: they must not outlive the call.
    /// </summary>
    public static void ForEachChunk(torch.Tensor tensor, ChunkAction action, long maxChunkBytes = DefaultMaxChunkBytes)
    {
        if (tensor.device_type != DeviceType.CPU || !tensor.is_contiguous())
            throw new ArgumentException("expected a contiguous CPU tensor", nameof(tensor));
        long elementSize = tensor.element_size();
        long elements = tensor.numel();
        if (elements == 0)
            return;
        if (elements * elementSize <= maxChunkBytes)
        {
            action(tensor.bytes, 0);
            return;
        }

        long chunkElements = Math.Max(1, maxChunkBytes / elementSize);
        // Views only: reshape of a contiguous tensor and narrow of a 1-D one share storage, and data_ptr of a
        // view includes its storage offset. The scope frees the view handles, never the storage.
        using var scope = torch.NewDisposeScope();
        var flat = tensor.reshape(-1);
        for (long start = 0; start < elements; start += chunkElements)
        {
            long count = Math.Min(chunkElements, elements - start);
            using var chunk = flat.narrow(0, start, count);
            action(chunk.bytes, start * elementSize);
        }
    }
}
