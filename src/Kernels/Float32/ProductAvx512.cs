using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;


namespace Peft.Kernels.Float32;

/// <summary>
/// The <see cref="ProductArgs"/> product with AVX-512F, a tile of four weight rows at a time. Within a tile, four
/// activation rows go through together (16 accumulators: every weight load feeds four FMAs, every activation load
/// four), so a decode batch reads each weight once however many rows it has, and a prefill runs at the FMA units'
/// rate with the tile's weights in L1. The tile's weights are read once per product: with one thread per disjoint
/// run of tiles, the threads stream disjoint parts of the matrix.
/// Every output is one 16-lane accumulator fed column block by column block in order, reduced by one fixed tree, then
/// the columns past the last whole block added in order: the same operations whichever path computes it, so a row's
/// result does not depend on the other rows of the batch, on the thread count or on how the tiles were split.
/// </summary>
internal static unsafe class ProductAvx512
{
    public const int TileRows = 4;
    private const int Lanes = 16;

    public static bool IsSupported => Avx512F.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tiles(in ProductArgs a, long tile0, long tile1)
    {
        for (long t = tile0; t < tile1; t++)
        {
            long r = t * TileRows;
            if (r + TileRows <= a.Rows)
            {
                int m = 0;
                if (t + 1 < tile1 && r + 2 * TileRows <= a.Rows && m + 4 <= a.N)
                {
                    Four<NextTile>(a, r, m);
                    m += 4;
                }
                for (; m + 4 <= a.N; m += 4) Four<NoPrefetch>(a, r, m);
                for (; m < a.N; m++) One(a, r, m);
            }
            else
            {
                for (; r < a.Rows; r++)
                    for (int m = 0; m < a.N; m++) Single(a, r, m);
            }
        }
    }

    /// <summary>Weight rows r..r+3 against activation rows m..m+3; with <see cref="NextTile"/>, also brings the next
    /// tile's rows into L2 while this one computes. Each weight row of a hidden-size matrix is a page of its own, where
    /// the hardware prefetcher starts over: without this a new tile's first pass waited on memory (7% of a 32-row
    /// decode's matmul time, 6% of a 128-row prefill's, measured in pairs; nothing at one row, which has no second
    /// pass to hide it behind).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Four<TPrefetch>(in ProductArgs a, long r, int m) where TPrefetch : struct
    {
        int columns = a.Columns;   // hoisted: a property read in the loop would spill vector registers
        int whole = columns - columns % Lanes;
        long stride = a.WStride;
        float* w0 = a.W + r * stride, w1 = w0 + stride, w2 = w1 + stride, w3 = w2 + stride;
        float* x0 = a.X + (long)m * columns, x1 = x0 + columns, x2 = x1 + columns, x3 = x2 + columns;
        var z = Vector512<float>.Zero;
        Vector512<float> a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
        Vector512<float> a20 = z, a21 = z, a22 = z, a23 = z, a30 = z, a31 = z, a32 = z, a33 = z;
        float* n0 = w3 + stride, n1 = n0 + stride, n2 = n1 + stride, n3 = n2 + stride;
        for (int c = 0; c < whole; c += Lanes)
        {
            if (typeof(TPrefetch) == typeof(NextTile))   // a constant per instantiation: the other one has no branch
            {
                Sse.Prefetch1(n0 + c);
                Sse.Prefetch1(n1 + c);
                Sse.Prefetch1(n2 + c);
                Sse.Prefetch1(n3 + c);
            }
            var v0 = Avx512F.LoadVector512(x0 + c);
            var v1 = Avx512F.LoadVector512(x1 + c);
            var v2 = Avx512F.LoadVector512(x2 + c);
            var v3 = Avx512F.LoadVector512(x3 + c);
            var w = Avx512F.LoadVector512(w0 + c);
            a00 = Avx512F.FusedMultiplyAdd(w, v0, a00);
            a01 = Avx512F.FusedMultiplyAdd(w, v1, a01);
            a02 = Avx512F.FusedMultiplyAdd(w, v2, a02);
            a03 = Avx512F.FusedMultiplyAdd(w, v3, a03);
            w = Avx512F.LoadVector512(w1 + c);
            a10 = Avx512F.FusedMultiplyAdd(w, v0, a10);
            a11 = Avx512F.FusedMultiplyAdd(w, v1, a11);
            a12 = Avx512F.FusedMultiplyAdd(w, v2, a12);
            a13 = Avx512F.FusedMultiplyAdd(w, v3, a13);
            w = Avx512F.LoadVector512(w2 + c);
            a20 = Avx512F.FusedMultiplyAdd(w, v0, a20);
            a21 = Avx512F.FusedMultiplyAdd(w, v1, a21);
            a22 = Avx512F.FusedMultiplyAdd(w, v2, a22);
            a23 = Avx512F.FusedMultiplyAdd(w, v3, a23);
            w = Avx512F.LoadVector512(w3 + c);
            a30 = Avx512F.FusedMultiplyAdd(w, v0, a30);
            a31 = Avx512F.FusedMultiplyAdd(w, v1, a31);
            a32 = Avx512F.FusedMultiplyAdd(w, v2, a32);
            a33 = Avx512F.FusedMultiplyAdd(w, v3, a33);
        }
        Store(a, r, m, Reduce.Four(a00, a10, a20, a30), x0, whole);
        Store(a, r, m + 1, Reduce.Four(a01, a11, a21, a31), x1, whole);
        Store(a, r, m + 2, Reduce.Four(a02, a12, a22, a32), x2, whole);
        Store(a, r, m + 3, Reduce.Four(a03, a13, a23, a33), x3, whole);
    }

    /// <summary>Weight rows r..r+3 against activation row m.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void One(in ProductArgs a, long r, int m)
    {
        int columns = a.Columns;
        int whole = columns - columns % Lanes;
        long stride = a.WStride;
        float* w0 = a.W + r * stride, w1 = w0 + stride, w2 = w1 + stride, w3 = w2 + stride;
        float* x = a.X + (long)m * columns;
        var acc0 = Vector512<float>.Zero;
        var acc1 = acc0;
        var acc2 = acc0;
        var acc3 = acc0;
        for (int c = 0; c < whole; c += Lanes)
        {
            var v = Avx512F.LoadVector512(x + c);
            acc0 = Avx512F.FusedMultiplyAdd(Avx512F.LoadVector512(w0 + c), v, acc0);
            acc1 = Avx512F.FusedMultiplyAdd(Avx512F.LoadVector512(w1 + c), v, acc1);
            acc2 = Avx512F.FusedMultiplyAdd(Avx512F.LoadVector512(w2 + c), v, acc2);
            acc3 = Avx512F.FusedMultiplyAdd(Avx512F.LoadVector512(w3 + c), v, acc3);
        }
        Store(a, r, m, Reduce.Four(acc0, acc1, acc2, acc3), x, whole);
    }

    /// <summary>Weight row r (of a short last tile) against activation row m, reduced by the same tree as four.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Single(in ProductArgs a, long r, int m)
    {
        int columns = a.Columns;
        int whole = columns - columns % Lanes;
        float* w = a.W + r * a.WStride;
        float* x = a.X + (long)m * columns;
        var acc = Vector512<float>.Zero;
        for (int c = 0; c < whole; c += Lanes)
            acc = Avx512F.FusedMultiplyAdd(Avx512F.LoadVector512(w + c), Avx512F.LoadVector512(x + c), acc);
        float sum = Reduce.Four(acc, acc, acc, acc).ToScalar() + Tail(w, x, whole, columns);
        a.Y[(long)m * a.Rows + r] = a.Bias is null ? sum : sum + a.Bias[r];
    }

    /// <summary>Writes four weight rows' sums for activation row m, each with its columns past the whole blocks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(in ProductArgs a, long r, int m, Vector128<float> sums, float* x, int whole)
    {
        if (whole < a.Columns)
        {
            int columns = a.Columns;
            long stride = a.WStride;
            float* w = a.W + r * stride;
            sums = Vector128.Create(
                sums.GetElement(0) + Tail(w, x, whole, columns),
                sums.GetElement(1) + Tail(w + stride, x, whole, columns),
                sums.GetElement(2) + Tail(w + 2 * stride, x, whole, columns),
                sums.GetElement(3) + Tail(w + 3 * stride, x, whole, columns));
        }
        if (a.Bias is not null) sums += Vector128.Load(a.Bias + r);
        sums.Store(a.Y + (long)m * a.Rows + r);
    }

    private struct NextTile;

    private struct NoPrefetch;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Tail(float* w, float* x, int from, int to)
    {
        float sum = 0;
        for (int c = from; c < to; c++) sum = MathF.FusedMultiplyAdd(w[c], x[c], sum);
        return sum;
    }
}
