using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Peft.Kernels.Int8;

/// <summary>Dequantizes rows of a packed matrix to float32: out[c] = scale[r] · q[r, c] for c &lt; Columns.</summary>
internal static unsafe class Int8Unpack
{
    /// <param name="target">Row-major float32 with <paramref name="targetStride"/> floats per row.</param>
    public static void Row(Int8Isa isa, Int8Layout layout, sbyte* packed, float* scales, long row, float* target)
    {
        float scale = scales[row];
        long columns = layout.Columns;
        int groups = layout.Groups;
        for (int g = 0; g < groups; g++)
        {
            sbyte* q = packed + layout.Offset(row, (long)g * Int8Layout.GroupSize);
            float* o = target + (long)g * Int8Layout.GroupSize;
            int count = (int)Math.Min(Int8Layout.GroupSize, columns - (long)g * Int8Layout.GroupSize);
            if (count == Int8Layout.GroupSize && isa == Int8Isa.Avx512) Group512(q, scale, o);
            else if (count == Int8Layout.GroupSize && isa == Int8Isa.Avx2) Group256(q, scale, o);
            else for (int c = 0; c < count; c++) o[c] = q[c] * scale;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Group512(sbyte* q, float scale, float* o)
    {
        var s = Vector512.Create(scale);
        for (int i = 0; i < Int8Layout.GroupSize; i += 16)
            Avx512F.Store(o + i, Avx512F.Multiply(Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Sse2.LoadVector128(q + i))), s));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Group256(sbyte* q, float scale, float* o)
    {
        var s = Vector256.Create(scale);
        for (int i = 0; i < Int8Layout.GroupSize; i += 8)
            Avx.Store(o + i, Avx.Multiply(Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(q + i)), s));
    }
}
