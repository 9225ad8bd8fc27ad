using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using TorchSharp;

namespace Peft.Runtime.Safetensors;

/// <summary>Sizes, header spellings and TorchSharp equivalents of <see cref="SafetensorsDtype"/>.</summary>
public static class SafetensorsDtypes
{
    // Explicit table rather than Enum.TryParse: that would also accept "3", " F32" and other spellings the
    // format does not allow.
    private static readonly FrozenDictionary<string, SafetensorsDtype> ByName =
        Enum.GetValues<SafetensorsDtype>().ToFrozenDictionary(d => d.ToString(), StringComparer.Ordinal);

    /// <summary>The header spellings, for error messages.</summary>
    public static string KnownNames { get; } = string.Join(", ", Enum.GetValues<SafetensorsDtype>());

    public static bool TryParse(string text, out SafetensorsDtype dtype) => ByName.TryGetValue(text, out dtype);

    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this SafetensorsDtype dtype) => dtype switch
    {
        SafetensorsDtype.BOOL or SafetensorsDtype.U8 or SafetensorsDtype.I8
            or SafetensorsDtype.F8_E5M2 or SafetensorsDtype.F8_E4M3 => 1,
        SafetensorsDtype.I16 or SafetensorsDtype.U16 or SafetensorsDtype.F16 or SafetensorsDtype.BF16 => 2,
        SafetensorsDtype.I32 or SafetensorsDtype.U32 or SafetensorsDtype.F32 => 4,
        SafetensorsDtype.F64 or SafetensorsDtype.I64 or SafetensorsDtype.U64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>
    /// The TorchSharp type with the same bytes, or null where TorchSharp 0.107 has none (unsigned 16/32/64-bit
    /// integers and the 8-bit floats).
    /// </summary>
    public static torch.ScalarType? ToScalarType(this SafetensorsDtype dtype) => dtype switch
    {
        SafetensorsDtype.BOOL => torch.ScalarType.Bool,
        SafetensorsDtype.U8 => torch.ScalarType.Byte,
        SafetensorsDtype.I8 => torch.ScalarType.Int8,
        SafetensorsDtype.I16 => torch.ScalarType.Int16,
        SafetensorsDtype.F16 => torch.ScalarType.Float16,
        SafetensorsDtype.BF16 => torch.ScalarType.BFloat16,
        SafetensorsDtype.I32 => torch.ScalarType.Int32,
        SafetensorsDtype.F32 => torch.ScalarType.Float32,
        SafetensorsDtype.F64 => torch.ScalarType.Float64,
        SafetensorsDtype.I64 => torch.ScalarType.Int64,
        _ => null,
    };

    /// <summary>The safetensors type for a TorchSharp type; false for types the format cannot hold (complex, quantized).</summary>
    public static bool TryFromScalarType(torch.ScalarType type, [NotNullWhen(true)] out SafetensorsDtype? dtype)
    {
        dtype = type switch
        {
            torch.ScalarType.Bool => SafetensorsDtype.BOOL,
            torch.ScalarType.Byte => SafetensorsDtype.U8,
            torch.ScalarType.Int8 => SafetensorsDtype.I8,
            torch.ScalarType.Int16 => SafetensorsDtype.I16,
            torch.ScalarType.Float16 => SafetensorsDtype.F16,
            torch.ScalarType.BFloat16 => SafetensorsDtype.BF16,
            torch.ScalarType.Int32 => SafetensorsDtype.I32,
            torch.ScalarType.Float32 => SafetensorsDtype.F32,
            torch.ScalarType.Float64 => SafetensorsDtype.F64,
            torch.ScalarType.Int64 => SafetensorsDtype.I64,
            _ => null,
        };
        return dtype is not null;
    }
}
