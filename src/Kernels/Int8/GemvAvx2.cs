using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Peft.Kernels.Int8;

/// <summary>The <see cref="GemvArgs"/> product with AVX2 and FMA: <see cref="GemvAvx512"/>'s loop at 256 bits
/// (eight vpmovsxbd of 8 weights per group and row).</summary>
internal static unsafe class GemvAvx2
{
    private const int PrefetchBytes = 4096;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tiles(in GemvArgs a, long tile0, long tile1)
    {
        var layout = a.Layout;
        int groups = layout.Groups, stride = layout.PaddedColumns;
        for (long t = tile0; t < tile1; t++)
        {
            sbyte* tile = a.Packed + t * layout.TileBytes;
            for (int m = 0; m < a.N; m++)
            {
                sbyte* p = tile;
                float* x = a.X + (long)m * stride;
                var acc0 = Vector256<float>.Zero;
                var acc1 = acc0;
                var acc2 = acc0;
                var acc3 = acc0;
                for (int g = 0; g < groups; g++, p += Int8Layout.GroupBytes, x += Int8Layout.GroupSize)
                {
                    if (m == 0)
                    {
                        Sse.Prefetch0(p + PrefetchBytes);
                        Sse.Prefetch0(p + PrefetchBytes + 64);
                        Sse.Prefetch0(p + PrefetchBytes + 128);
                        Sse.Prefetch0(p + PrefetchBytes + 192);
                    }
                    // Half a group at a time keeps the activations in 4 of the 16 ymm registers.
                    for (int half = 0; half < 2; half++)
                    {
                        int o = half * 32;
                        var x0 = Avx.LoadVector256(x + o);
                        var x1 = Avx.LoadVector256(x + o + 8);
                        var x2 = Avx.LoadVector256(x + o + 16);
                        var x3 = Avx.LoadVector256(x + o + 24);
                        acc0 = Row(p + o, x0, x1, x2, x3, acc0);
                        acc1 = Row(p + 64 + o, x0, x1, x2, x3, acc1);
                        acc2 = Row(p + 128 + o, x0, x1, x2, x3, acc2);
                        acc3 = Row(p + 192 + o, x0, x1, x2, x3, acc3);
                    }
                }
                a.Store(t, m, Reduce.Four(acc0, acc1, acc2, acc3));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Row(sbyte* w, Vector256<float> x0, Vector256<float> x1, Vector256<float> x2, Vector256<float> x3, Vector256<float> acc)
    {
        acc = Fma.MultiplyAdd(Widen(w), x0, acc);
        acc = Fma.MultiplyAdd(Widen(w + 8), x1, acc);
        acc = Fma.MultiplyAdd(Widen(w + 16), x2, acc);
        return Fma.MultiplyAdd(Widen(w + 24), x3, acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Widen(sbyte* w) => Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(w));
}
