using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Peft.Kernels.Rows;

/// <summary>
/// The gated product of a Llama MLP over float32 rows: y = silu(g) · u, silu(g) = g / (1 + exp(−g)), in libtorch's
/// order of float32 operations. The exponential is .NET's (vector lanes and the scalar tail each their own), not
/// libtorch's SLEEF one, so an element can differ from the tensor formula in its last bits; it depends on the
/// element's value and column alone, never on the other rows.
/// </summary>
internal static unsafe class SiluProductRows
{
    private const int Lanes = 16;

    /// <param name="gate">[rows, columns]</param>
    /// <param name="up">[rows, columns]</param>
    /// <param name="y">[rows, columns]</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(float* gate, float* up, float* y, long rows, int columns)
    {
        // Row by row, so whether a column takes the vector or the scalar exponential depends on the column alone.
        for (long row = 0; row < rows; row++)
        {
            long offset = row * columns;
            Row(gate + offset, up + offset, y + offset, columns);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row(float* gate, float* up, float* y, int count)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var one = Vector512<float>.One;
            for (; i + Lanes <= count; i += Lanes)
            {
                var g = Vector512.Load(gate + i);
                var silu = g / (one + Vector512.Exp(-g));
                Vector512.Store(silu * Vector512.Load(up + i), y + i);
            }
        }
        for (; i < count; i++)
        {
            float g = gate[i];
            float silu = g / (1f + MathF.Exp(-g));
            y[i] = silu * up[i];
        }
    }
}
