using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Peft.Kernels.Int8;

/// <summary>
/// The <see cref="GemvArgs"/> product with AVX-512F: per group and tile row, four vpmovsxbd (16 weights each to
/// int32), four conversions to float and four FMAs against the float activations, which the tile's four rows share.
/// The first activation row prefetches the weight stream ahead (one sequential stream per thread, see
/// <see cref="Int8Layout"/>).
/// </summary>
internal static unsafe class GemvAvx512
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
                var acc0 = Vector512<float>.Zero;
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
                    var x0 = Avx512F.LoadVector512(x);
                    var x1 = Avx512F.LoadVector512(x + 16);
                    var x2 = Avx512F.LoadVector512(x + 32);
                    var x3 = Avx512F.LoadVector512(x + 48);
                    acc0 = Row(p, x0, x1, x2, x3, acc0);
                    acc1 = Row(p + 64, x0, x1, x2, x3, acc1);
                    acc2 = Row(p + 128, x0, x1, x2, x3, acc2);
                    acc3 = Row(p + 192, x0, x1, x2, x3, acc3);
                }
                a.Store(t, m, Vector512.Sum(acc0), Vector512.Sum(acc1), Vector512.Sum(acc2), Vector512.Sum(acc3));
            }
        }
    }

    /// <summary>acc + the 64 products of one row's group, in 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Row(sbyte* w, Vector512<float> x0, Vector512<float> x1, Vector512<float> x2, Vector512<float> x3, Vector512<float> acc)
    {
        acc = Avx512F.FusedMultiplyAdd(Widen(w), x0, acc);
        acc = Avx512F.FusedMultiplyAdd(Widen(w + 16), x1, acc);
        acc = Avx512F.FusedMultiplyAdd(Widen(w + 32), x2, acc);
        return Avx512F.FusedMultiplyAdd(Widen(w + 48), x3, acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Widen(sbyte* w) => Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Sse2.LoadVector128(w)));
}
