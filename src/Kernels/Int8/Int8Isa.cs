using System.Runtime.Intrinsics.X86;

namespace Peft.Kernels.Int8;

/// <summary>
/// The instruction sets the CPU kernels are written for. <see cref="Best"/> is the widest this CPU runs; tests force
/// each one the hardware allows. (.NET 10 exposes no 512-bit VNNI dot product, vpdpbusd, so the AVX-512 kernel uses
/// vpmaddwd on int16 activations; see docs/quantization.md.)
/// </summary>
internal enum Int8Isa
{
    /// <summary>Scalar C#: any CPU.</summary>
    Portable,

    /// <summary>256-bit: vpmovsxbw, vpmaddwd, FMA.</summary>
    Avx2,

    /// <summary>512-bit: the same with AVX-512F/BW.</summary>
    Avx512,
}

internal static class Int8IsaSupport
{
    public static Int8Isa Best { get; } =
        IsSupported(Int8Isa.Avx512) ? Int8Isa.Avx512 : IsSupported(Int8Isa.Avx2) ? Int8Isa.Avx2 : Int8Isa.Portable;

    public static bool IsSupported(Int8Isa isa) => isa switch
    {
        Int8Isa.Avx512 => Avx512F.IsSupported && Avx512BW.IsSupported,
        Int8Isa.Avx2 => Avx2.IsSupported && Fma.IsSupported,
        _ => true,
    };
}
