using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Peft.Kernels.Int8;

/// <summary>The <see cref="GemvArgs"/> product with AVX2 and FMA: <see cref="GemvAvx512"/>'s loop at 256 bits.</summary>
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
                short* x = a.X + (long)m * stride;
                float* xs = a.XScales + (long)m * groups;
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
                    var x0 = Avx.LoadVector256(x);
                    var x1 = Avx.LoadVector256(x + 16);
                    var x2 = Avx.LoadVector256(x + 32);
                    var x3 = Avx.LoadVector256(x + 48);
                    var s = Vector256.Create(xs[g]);
                    acc0 = Fma.MultiplyAdd(Dot(p, x0, x1, x2, x3), s, acc0);
                    acc1 = Fma.MultiplyAdd(Dot(p + 64, x0, x1, x2, x3), s, acc1);
                    acc2 = Fma.MultiplyAdd(Dot(p + 128, x0, x1, x2, x3), s, acc2);
                    acc3 = Fma.MultiplyAdd(Dot(p + 192, x0, x1, x2, x3), s, acc3);
                }
                GemvOutput.Store(a, t, m, Vector256.Sum(acc0), Vector256.Sum(acc1), Vector256.Sum(acc2), Vector256.Sum(acc3));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Dot(sbyte* w, Vector256<short> x0, Vector256<short> x1, Vector256<short> x2, Vector256<short> x3)
    {
        var d0 = Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(Sse2.LoadVector128(w)), x0);
        var d1 = Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(Sse2.LoadVector128(w + 16)), x1);
        var d2 = Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(Sse2.LoadVector128(w + 32)), x2);
        var d3 = Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(Sse2.LoadVector128(w + 48)), x3);
        return Avx.ConvertToVector256Single(Avx2.Add(Avx2.Add(d0, d1), Avx2.Add(d2, d3)));
    }
}
