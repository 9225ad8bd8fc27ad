using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Peft.Kernels.Rows;

/// <summary>
/// Hugging Face's rotary embedding on float32 heads: y = x · cos + rotate_half(x) · sin, rotate_half(x) = [-x₂, x₁]
/// (dimension j pairs with j + D/2). Each element is computed as libtorch computes it (two float32 products, then
/// one float32 sum, never fused), so the result is bit-identical to the tensor formula, lane by lane as element by
/// element.
/// </summary>
internal static unsafe class RotateHalfRows
{
    private const int Lanes = 16;

    /// <param name="x">[tokens, heads, dim]</param>
    /// <param name="cos">[tokens, dim]: one row of angles per token, shared by its heads</param>
    /// <param name="sin">[tokens, dim]</param>
    /// <param name="y">[tokens, heads, dim]</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(float* x, float* cos, float* sin, float* y, long tokens, int heads, int dim)
    {
        int half = dim / 2;
        for (long t = 0; t < tokens; t++)
        {
            float* c = cos + t * dim;
            float* s = sin + t * dim;
            for (int h = 0; h < heads; h++)
            {
                long offset = (t * heads + h) * dim;
                float* input = x + offset;
                float* output = y + offset;
                int j = 0;
                if (Vector512.IsHardwareAccelerated)
                {
                    for (; j + Lanes <= half; j += Lanes)
                    {
                        var low = Vector512.Load(input + j);
                        var high = Vector512.Load(input + j + half);
                        Vector512.Store(low * Vector512.Load(c + j) + (-high) * Vector512.Load(s + j), output + j);
                        Vector512.Store(high * Vector512.Load(c + j + half) + low * Vector512.Load(s + j + half), output + j + half);
                    }
                }
                for (; j < half; j++)
                {
                    float low = input[j], high = input[j + half];
                    float first = low * c[j];
                    float firstRotated = -high * s[j];
                    output[j] = first + firstRotated;
                    float second = high * c[j + half];
                    float secondRotated = low * s[j + half];
                    output[j + half] = second + secondRotated;
                }
            }
        }
    }
}
