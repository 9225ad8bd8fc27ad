using System.Buffers.Binary;
using TorchSharp;

namespace Peft.Runtime.Safetensors;

/// <summary>
/// Writes spec-conformant safetensors files, atomically and deterministically: the same names, dtypes, shapes,
/// values and metadata always give the same bytes, and for the same inputs those bytes match the reference
/// implementation's (<c>safetensors.torch.save_file</c>; metadata keys sorted).
/// </summary>
public static class SafetensorsWriter
{
    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="path"/>, replacing any existing file only once the new one
    /// is complete and flushed. Tensors may live on any device, be non-contiguous or require grad: each is copied to a
    /// contiguous CPU tensor one at a time, and the caller's tensors are never modified or disposed.
    /// </summary>
    /// <param name="metadata">Written as <c>__metadata__</c> (keys sorted); null writes none.</param>
    /// <remarks>
    /// <paramref name="tensors"/> is enumerated once, before the file is created (the header needs every shape
    /// first): a lazy sequence that makes tensors has them all alive at once.
    /// </remarks>
    public static void Write(
        string path, IEnumerable<KeyValuePair<string, torch.Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);

        var plan = WritePlan.Create(tensors);
        byte[] header = HeaderWriter.Write(plan, metadata);

        AtomicFile.Write(path, stream =>
        {
            Span<byte> prefix = stackalloc byte[SafetensorsHeader.PrefixBytes];
            BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
            stream.Write(prefix);
            stream.Write(header);
            foreach (var tensor in plan)
                WriteData(stream, tensor);
        });
    }

    private static void WriteData(FileStream stream, PlannedTensor tensor)
    {
        // detach/cpu/contiguous return new handles (or the same storage); the scope frees those handles and any
        // copies, never the caller's tensor, which was created outside it.
        using var scope = torch.NewDisposeScope();
        var data = tensor.Source.detach().cpu().contiguous();
        long before = stream.Position;
        TensorStorage.ForEachChunk(data, (chunk, _) => stream.Write(chunk));
        if (stream.Position - before != tensor.End - tensor.Begin)
            throw new InvalidOperationException(
                $"tensor '{tensor.Name}' changed size while it was being written ({tensor.End - tensor.Begin} bytes planned, {stream.Position - before} written)");
    }
}
