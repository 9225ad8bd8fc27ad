using System.Collections.Immutable;

namespace Peft.Runtime.Safetensors;

/// <summary>
/// One header entry, validated: its bytes are <c>[Begin, End)</c> of the data region (which starts right after the
/// header) and <c>End - Begin == ElementCount * dtype size</c>.
/// </summary>
public sealed class TensorInfo
{
    internal TensorInfo(string name, SafetensorsDtype dtype, ImmutableArray<long> shape, long elementCount, long begin, long end)
    {
        Name = name;
        Dtype = dtype;
        Shape = shape;
        ElementCount = elementCount;
        Begin = begin;
        End = end;
    }

    public string Name { get; }

    public SafetensorsDtype Dtype { get; }

    /// <summary>Row-major shape; empty for a scalar.</summary>
    public ImmutableArray<long> Shape { get; }

    public long ElementCount { get; }

    /// <summary>First byte, relative to the start of the data region.</summary>
    public long Begin { get; }

    /// <summary>One past the last byte, relative to the start of the data region.</summary>
    public long End { get; }

    public long ByteLength => End - Begin;

    public override string ToString() => $"{Name}: {Dtype} [{string.Join(", ", Shape)}] bytes [{Begin}, {End})";
}
