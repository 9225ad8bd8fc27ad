using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Peft.Kernels.Float32;

/// <summary>
/// The <see cref="LowRankArgs"/> delta with AVX-512F, sixteen outputs at a time. A LoRA expand is a product with as
/// many columns as the rank (16 is typical): as a dot product per output (<see cref="ProductAvx512"/>) each output
/// costs one multiply-add and a whole horizontal reduction, and the delta then needs a tensor of its own and an add.
/// Here a block of B is transposed once into a 16-lane panel per rank, and every row's delta for the block is Rank
/// broadcast multiply-adds straight into Y. Each output's delta is summed over r in order from zero and then added to
/// Y once, the same operations whatever the other rows, the thread count or the split.
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
        for (long block = block0; block < block1; block++)
        {
            long o0 = block * BlockOutputs;
            int width = (int)Math.Min(BlockOutputs, a.Outputs - o0);
            Transpose(a, o0, width, panel);
            int m = 0;
            for (; m + 4 <= a.N; m += 4) Four(a, m, o0, width, panel);
            for (; m < a.N; m++) One(a, m, o0, width, panel);
        }
    }

    /// <summary>Rows m..m+3: four independent chains, so the multiply-adds do not wait on each other's latency.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Four(in LowRankArgs a, int m, long o0, int width, float* panel)
    {
        int rank = a.Rank;
        long stride = a.SStride;
        float* s0 = a.S + m * stride, s1 = s0 + stride, s2 = s1 + stride, s3 = s2 + stride;
        var d0 = Vector512<float>.Zero;
        Vector512<float> d1 = d0, d2 = d0, d3 = d0;
        for (int r = 0; r < rank; r++)
        {
            var b = Avx512F.LoadVector512(panel + r * BlockOutputs);
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void One(in LowRankArgs a, int m, long o0, int width, float* panel)
    {
        float* s = a.S + m * a.SStride;
        var delta = Vector512<float>.Zero;
        for (int r = 0; r < a.Rank; r++)
            delta = Avx512F.FusedMultiplyAdd(Vector512.Create(s[r]), Avx512F.LoadVector512(panel + r * BlockOutputs), delta);
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

    /// <summary>panel[r·16 + i] = B[o0 + i, r], one gather per rank; lanes past a short block's width are zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(in LowRankArgs a, long o0, int width, float* panel)
    {
        int rank = a.Rank;
        float* b = a.B + o0 * a.BStride;
        if (width == BlockOutputs && a.BStride * (BlockOutputs - 1) + rank <= int.MaxValue)
        {
            // .NET has no 512-bit gather: two of eight lanes.
            var rows = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * (int)a.BStride;
            float* upper = b + 8 * a.BStride;
            for (int r = 0; r < rank; r++)
            {
                Avx.Store(panel + r * BlockOutputs, Avx2.GatherVector256(b + r, rows, 4));
                Avx.Store(panel + r * BlockOutputs + 8, Avx2.GatherVector256(upper + r, rows, 4));
            }
            return;
        }
        new Span<float>(panel, rank * BlockOutputs).Clear();
        for (int i = 0; i < width; i++)
            for (int r = 0; r < rank; r++) panel[r * BlockOutputs + i] = b[i * a.BStride + r];
    }
}
