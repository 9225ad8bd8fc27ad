using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Peft.Kernels.Int8;

/// <summary>
/// The <see cref="GemvArgs"/> product with AVX-512F. Per group of 64 columns and tile row: four vpmovsxbd (16 weights
/// each to int32) and four conversions to float, then one FMA per activation row against that row's floats. Up to four
/// activation rows go through the tile together (16 accumulators), so each weight is loaded and converted once per
/// four rows: decode batches cost little more weight traffic or conversion than a single row. The first block of
/// rows prefetches the weight stream ahead (one sequential stream per thread, see <see cref="Int8Layout"/>).
/// </summary>
internal static unsafe class GemvAvx512
{
    private const int PrefetchBytes = 4096;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tiles(in GemvArgs a, long tile0, long tile1)
    {
        for (long t = tile0; t < tile1; t++)
        {
            int m = 0;
            for (; m + 4 <= a.N; m += 4) Four(a, t, m);
            for (; m < a.N; m++) One(a, t, m);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void One(in GemvArgs a, long t, int m)
    {
        var layout = a.Layout;
        int groups = layout.Groups;   // hoisted: a call in the loop would spill every vector register
        sbyte* p = a.Packed + t * layout.TileBytes;
        float* x = a.X + (long)m * layout.PaddedColumns;
        var acc0 = Vector512<float>.Zero;
        var acc1 = acc0;
        var acc2 = acc0;
        var acc3 = acc0;
        for (int g = 0; g < groups; g++, p += Int8Layout.GroupBytes, x += Int8Layout.GroupSize)
        {
            if (m == 0) Prefetch(p);
            var x0 = Avx512F.LoadVector512(x);
            var x1 = Avx512F.LoadVector512(x + 16);
            var x2 = Avx512F.LoadVector512(x + 32);
            var x3 = Avx512F.LoadVector512(x + 48);
            acc0 = Row(p, x0, x1, x2, x3, acc0);
            acc1 = Row(p + 64, x0, x1, x2, x3, acc1);
            acc2 = Row(p + 128, x0, x1, x2, x3, acc2);
            acc3 = Row(p + 192, x0, x1, x2, x3, acc3);
        }
        a.Store(t, m, Reduce.Four(acc0, acc1, acc2, acc3));
    }

    /// <summary>Activation rows m..m+3 against the tile's four weight rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Four(in GemvArgs a, long t, int m)
    {
        var layout = a.Layout;
        int groups = layout.Groups;
        long stride = layout.PaddedColumns;
        sbyte* p = a.Packed + t * layout.TileBytes;
        float* x = a.X + m * stride;
        var z = Vector512<float>.Zero;
        Vector512<float> a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
        Vector512<float> a20 = z, a21 = z, a22 = z, a23 = z, a30 = z, a31 = z, a32 = z, a33 = z;
        for (int g = 0; g < groups; g++, p += Int8Layout.GroupBytes, x += Int8Layout.GroupSize)
        {
            if (m == 0) Prefetch(p);
            for (int c = 0; c < Int8Layout.GroupSize; c += 16)
            {
                var x0 = Avx512F.LoadVector512(x + c);
                var x1 = Avx512F.LoadVector512(x + stride + c);
                var x2 = Avx512F.LoadVector512(x + 2 * stride + c);
                var x3 = Avx512F.LoadVector512(x + 3 * stride + c);
                var w = Widen(p + c);
                a00 = Avx512F.FusedMultiplyAdd(w, x0, a00);
                a01 = Avx512F.FusedMultiplyAdd(w, x1, a01);
                a02 = Avx512F.FusedMultiplyAdd(w, x2, a02);
                a03 = Avx512F.FusedMultiplyAdd(w, x3, a03);
                w = Widen(p + 64 + c);
                a10 = Avx512F.FusedMultiplyAdd(w, x0, a10);
                a11 = Avx512F.FusedMultiplyAdd(w, x1, a11);
                a12 = Avx512F.FusedMultiplyAdd(w, x2, a12);
                a13 = Avx512F.FusedMultiplyAdd(w, x3, a13);
                w = Widen(p + 128 + c);
                a20 = Avx512F.FusedMultiplyAdd(w, x0, a20);
                a21 = Avx512F.FusedMultiplyAdd(w, x1, a21);
                a22 = Avx512F.FusedMultiplyAdd(w, x2, a22);
                a23 = Avx512F.FusedMultiplyAdd(w, x3, a23);
                w = Widen(p + 192 + c);
                a30 = Avx512F.FusedMultiplyAdd(w, x0, a30);
                a31 = Avx512F.FusedMultiplyAdd(w, x1, a31);
                a32 = Avx512F.FusedMultiplyAdd(w, x2, a32);
                a33 = Avx512F.FusedMultiplyAdd(w, x3, a33);
            }
        }
        a.Store(t, m, Reduce.Four(a00, a10, a20, a30));
        a.Store(t, m + 1, Reduce.Four(a01, a11, a21, a31));
        a.Store(t, m + 2, Reduce.Four(a02, a12, a22, a32));
        a.Store(t, m + 3, Reduce.Four(a03, a13, a23, a33));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Prefetch(sbyte* p)
    {
        Sse.Prefetch0(p + PrefetchBytes);
        Sse.Prefetch0(p + PrefetchBytes + 64);
        Sse.Prefetch0(p + PrefetchBytes + 128);
        Sse.Prefetch0(p + PrefetchBytes + 192);
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
