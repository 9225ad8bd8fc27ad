using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Peft.Kernels.Float32;

/// <summary>
/// The <see cref="LowRankArgs"/> delta with AVX-512F, sixteen outputs at a time. A LoRA expand is a product with as
/// many columns as the rank (16 is typical): as a dot product per output (<see cref="ProductAvx512"/>) each output
/// costs one multiply-add and a whole horizontal reduction, and the delta then needs a tensor of its own and an add.
/// Here every row's delta for a block is Rank broadcast multiply-adds of a 16-lane panel per rank straight into Y.
/// The panel is B itself where each rank's outputs are dense (the slot pool's layout), and otherwise a block of B
/// transposed once onto the stack. Each output's delta is summed over r in order from zero and then added to Y once:
/// the same operations whatever the layout of B, the other rows, the thread count or the split.
/// </summary>
internal static unsafe class LowRankAvx512
{
    public const int BlockOutputs = 16;

    /// <summary>The largest rank the kernel takes: its panel lives on the stack (16 KiB at this rank).</summary>
    public const int MaxRank = 256;

    public static bool IsSupported => Avx512F.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Blocks(in LowRankArgs a, long block0, long block1)
    {
        int rank = a.Rank;
        float* panel = stackalloc float[rank * BlockOutputs];
        long block = block0;
        if (a.RankMajor)
        {
            // One row has a single chain per block, as long as the rank: four blocks side by side keep four in flight.
            for (; block + 4 <= block1 && (block + 4) * BlockOutputs <= a.Outputs; block += 4)
                for (int m = 0; m < a.N; m++) FourBlocks(a, m, block * BlockOutputs);
        }
        for (; block < block1; block++)
        {
            long o0 = block * BlockOutputs;
            int width = (int)Math.Min(BlockOutputs, a.Outputs - o0);
            float* p = panel;
            long stride = BlockOutputs;
            if (a.RankMajor && width == BlockOutputs)
            {
                p = a.B + o0;
                stride = a.BRankStride;
            }
            else Transpose(a, o0, width, panel);
            int m = 0;
            for (; m + 4 <= a.N; m += 4) FourRows(a, m, o0, width, p, stride);
            for (; m < a.N; m++) One(a, m, o0, width, p, stride);
        }
    }

    /// <summary>Rows m..m+3 of one block: four independent chains, so the multiply-adds do not wait on each other's latency.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FourRows(in LowRankArgs a, int m, long o0, int width, float* panel, long panelStride)
    {
        int rank = a.Rank;
        long stride = a.SStride;
        float* s0 = a.S + m * stride, s1 = s0 + stride, s2 = s1 + stride, s3 = s2 + stride;
        var d0 = Vector512<float>.Zero;
        Vector512<float> d1 = d0, d2 = d0, d3 = d0;
        for (int r = 0; r < rank; r++)
        {
            var b = Avx512F.LoadVector512(panel + r * panelStride);
            d0 = Avx512F.FusedMultiplyAdd(Vector512.Create(s0[r]), b, d0);
            d1 = Avx512F.FusedMultiplyAdd(Vector512.Create(s1[r]), b, d1);
            d2 = Avx512F.FusedMultiplyAdd(Vector512.Create(s2[r]), b, d2);
            d3 = Avx512F.FusedMultiplyAdd(Vector512.Create(s3[r]), b, d3);
        }
        Add(a, m, o0, width, d0);
        Add(a, m + 1, o0, width, d1);
        Add(a, m + 2, o0, width, d2);
        Add(a, m + 3, o0, width, d3);
    }

    /// <summary>Row m over four whole blocks read where they lie in a rank-major B.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FourBlocks(in LowRankArgs a, int m, long o0)
    {
        int rank = a.Rank;
        long stride = a.BRankStride;
        float* s = a.S + m * a.SStride, b = a.B + o0;
        var d0 = Vector512<float>.Zero;
        Vector512<float> d1 = d0, d2 = d0, d3 = d0;
        for (int r = 0; r < rank; r++)
        {
            var sr = Vector512.Create(s[r]);
            float* row = b + r * stride;
            d0 = Avx512F.FusedMultiplyAdd(sr, Avx512F.LoadVector512(row), d0);
            d1 = Avx512F.FusedMultiplyAdd(sr, Avx512F.LoadVector512(row + BlockOutputs), d1);
            d2 = Avx512F.FusedMultiplyAdd(sr, Avx512F.LoadVector512(row + 2 * BlockOutputs), d2);
            d3 = Avx512F.FusedMultiplyAdd(sr, Avx512F.LoadVector512(row + 3 * BlockOutputs), d3);
        }
        Add(a, m, o0, BlockOutputs, d0);
        Add(a, m, o0 + BlockOutputs, BlockOutputs, d1);
        Add(a, m, o0 + 2 * BlockOutputs, BlockOutputs, d2);
        Add(a, m, o0 + 3 * BlockOutputs, BlockOutputs, d3);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void One(in LowRankArgs a, int m, long o0, int width, float* panel, long panelStride)
    {
        float* s = a.S + m * a.SStride;
        var delta = Vector512<float>.Zero;
        for (int r = 0; r < a.Rank; r++)
            delta = Avx512F.FusedMultiplyAdd(Vector512.Create(s[r]), Avx512F.LoadVector512(panel + r * panelStride), delta);
        Add(a, m, o0, width, delta);
    }

    /// <summary>Y[row(m), o0 .. o0 + width) += delta.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(in LowRankArgs a, int m, long o0, int width, Vector512<float> delta)
    {
        float* y = a.Y + (a.Rows is null ? m : a.Rows[m]) * a.YStride + o0;
        if (width == BlockOutputs)
            Avx512F.Store(y, Avx512F.Add(Avx512F.LoadVector512(y), delta));
        else
            for (int i = 0; i < width; i++) y[i] += delta.GetElement(i);
    }

    /// <summary>panel[r·16 + i] = B[o0 + i, r]; lanes past a short block's width are zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(in LowRankArgs a, long o0, int width, float* panel)
    {
        int rank = a.Rank;
        float* b = a.B + o0 * a.BOutStride;
        if (width == BlockOutputs && a.BRankStride == 1 && a.BOutStride * (BlockOutputs - 1) + rank <= int.MaxValue)
        {
            // .NET has no 512-bit gather: two of eight lanes.
            var rows = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * (int)a.BOutStride;
            float* upper = b + 8 * a.BOutStride;
            for (int r = 0; r < rank; r++)
            {
                Avx.Store(panel + r * BlockOutputs, Avx2.GatherVector256(b + r, rows, 4));
                Avx.Store(panel + r * BlockOutputs + 8, Avx2.GatherVector256(upper + r, rows, 4));
            }
            return;
        }
        new Span<float>(panel, rank * BlockOutputs).Clear();
        for (int i = 0; i < width; i++)
            for (int r = 0; r < rank; r++) panel[r * BlockOutputs + i] = b[i * a.BOutStride + r * a.BRankStride];
    }
}
