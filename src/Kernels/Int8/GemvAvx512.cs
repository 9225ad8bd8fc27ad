using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Peft.Kernels.Int8;

/// <summary>
/// The <see cref="GemvArgs"/> product with AVX-512F/BW: per group and tile row, two vpmovsxbw (32 weights each to
/// int16), two vpmaddwd against the activation's int16 (32 products summed in pairs into 16 int32 lanes), one add,
/// one conversion to float and one FMA with the group's activation scale. Each tile's four rows share the activation
/// loads; the first activation row prefetches the weight stream ahead.
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
                short* x = a.X + (long)m * stride;
                float* xs = a.XScales + (long)m * groups;
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
                    var xa = Avx512BW.LoadVector512(x);
                    var xb = Avx512BW.LoadVector512(x + 32);
                    var s = Vector512.Create(xs[g]);
                    acc0 = Avx512F.FusedMultiplyAdd(Dot(p, xa, xb), s, acc0);
                    acc1 = Avx512F.FusedMultiplyAdd(Dot(p + 64, xa, xb), s, acc1);
                    acc2 = Avx512F.FusedMultiplyAdd(Dot(p + 128, xa, xb), s, acc2);
                    acc3 = Avx512F.FusedMultiplyAdd(Dot(p + 192, xa, xb), s, acc3);
                }
                GemvOutput.Store(a, t, m, Vector512.Sum(acc0), Vector512.Sum(acc1), Vector512.Sum(acc2), Vector512.Sum(acc3));
            }
        }
    }

    /// <returns>The 64 products of one row's group, summed into 16 lanes, as float.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Dot(sbyte* w, Vector512<short> xa, Vector512<short> xb)
    {
        var lo = Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(Avx.LoadVector256(w)), xa);
        var hi = Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(Avx.LoadVector256(w + 32)), xb);
        return Avx512F.ConvertToVector512Single(Avx512F.Add(lo, hi));
    }
}
