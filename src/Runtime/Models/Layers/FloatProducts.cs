using Peft.Kernels;
using Peft.Kernels.Float32;
using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Models.Layers;

/// <summary>
/// y = x Wᵀ + b for float32 weights on the CPU by <see cref="ProductAvx512"/>, threads splitting W's rows (and the
/// activation rows too when W has few). libtorch's
/// GEMM did not use the cores it was given at a model step's shapes: a batch-1 decode read the weights at one core's
/// bandwidth at 2 threads as at 1, and a batch of 32 ran its 57 products at 62 GF/s where this kernel reaches 120
/// (docs/benchmarks.md, "Float32 kernels and in-place decode attention"). Anything autograd must see, other dtypes
/// and devices, and CPUs without AVX-512 keep libtorch.
/// </summary>
internal static unsafe class FloatProducts
{
    /// <summary>Activation rows the kernel takes in one pass over the weights (PEFT_FLOAT_KERNEL_ROWS; 0 leaves every
    /// product to libtorch). Longer inputs run block by block: each block's rows stay in L2 while a tile of weights
    /// meets all of them, and a row's result is the same in any block.</summary>
    public static readonly int BlockRows = int.TryParse(Environment.GetEnvironmentVariable("PEFT_FLOAT_KERNEL_ROWS"), out int rows) ? rows : 256;

    /// <summary>Below this many weight bytes times rows a product runs on the calling thread: handing work to another
    /// thread costs microseconds, which a small product (a LoRA factor) does not repay.</summary>
    private const long MinParallelBytes = 128 << 10;

    /// <summary>Below this many weight-row tiles the threads also split the activation rows, <see cref="GroupRows"/> at
    /// a time: a LoRA shrink has 4 to 12 tiles, too few to keep two threads busy, and its weights stay in cache while
    /// each group reads them again.</summary>
    private const long FewTiles = 32;

    private const int GroupRows = 16;

    public static bool Applies(Tensor x, Tensor weight, Tensor? bias) =>
        ProductAvx512.IsSupported
        && x.dim() == 2 && x.size(0) > 0 && BlockRows > 0
        && Float32Cpu(x) && Float32Cpu(weight) && RowMajor(weight) && weight.size(1) == x.size(1) && weight.numel() > 0
        && (bias is null || (Float32Cpu(bias) && bias.is_contiguous()));

    /// <summary>The product; the caller has checked <see cref="Applies"/>. The result belongs to the caller's scope.</summary>
    public static Tensor Product(Tensor x, Tensor weight, Tensor? bias) => Product(x, weight, bias, IntraOpThreads.Current, BlockRows, MinParallelBytes);

    /// <param name="threads">Threads a product may use.</param>
    /// <param name="blockRows">Activation rows per pass over the weights.</param>
    /// <param name="minParallelBytes">Weight bytes times rows below which a block runs on the calling thread.</param>
    internal static Tensor Product(Tensor x, Tensor weight, Tensor? bias, int threads, int blockRows, long minParallelBytes)
    {
        var input = x.is_contiguous() ? x : x.contiguous();
        long n = input.size(0), rows = weight.size(0);
        int columns = (int)weight.size(1);
        var y = empty([n, rows], ScalarType.Float32);
        float* w = (float*)TensorMemory.FirstElement(weight), x0 = (float*)TensorMemory.Pointer(input), y0 = (float*)TensorMemory.Pointer(y);
        float* b = bias is null ? null : (float*)TensorMemory.Pointer(bias);
        long stride = weight.stride(0);
        for (long m = 0; m < n; m += blockRows)
        {
            int count = (int)Math.Min(blockRows, n - m);
            var args = new ProductArgs { W = w, Rows = rows, WStride = stride, Columns = columns, X = x0 + m * columns, N = count, Y = y0 + m * rows, Bias = b };
            int split = weight.numel() * sizeof(float) * count < minParallelBytes ? 1 : threads;
            long tiles = args.Tiles;
            long groups = split > 1 && tiles < FewTiles ? (count + GroupRows - 1) / GroupRows : 1;
            if (groups <= 1)
                TileParallel.For(tiles, split, (t0, t1) => ProductAvx512.Tiles(args, t0, t1));
            else   // few weight rows (a LoRA shrink): the threads split the activation rows as well
                GroupTiles(groups, tiles, split, g => args with
                {
                    X = args.X + g * GroupRows * columns, N = (int)Math.Min(GroupRows, count - g * GroupRows), Y = args.Y + g * GroupRows * rows,
                });
        }
        GC.KeepAlive(input);   // a contiguous copy is referenced by nothing else while the kernel reads its memory
        return y;
    }

    /// <summary>
    /// y[u] = x[u] · w[slots[u]]ᵀ for every group u (SGMV: each adapter slot's rows against that slot's factor, read
    /// in place in the pool), all groups' tiles in one split over the threads. Null where the kernel does not apply
    /// (the caller keeps <c>bmm</c> over gathered slots).
    /// </summary>
    /// <param name="x">[U, m, in]</param>
    /// <param name="w">[S, rows, in], rows and slots at any strides, columns dense (a pool, trimmed to a rank or not)</param>
    /// <param name="slots">U indices into w's first dimension; null: group u reads w[u] (then S = U)</param>
    /// <returns>[U, m, rows]</returns>
    public static Tensor? Grouped(Tensor x, Tensor w, IReadOnlyList<long>? slots = null)
    {
        if (!ProductAvx512.IsSupported || BlockRows == 0 || x.dim() != 3 || w.dim() != 3 || x.numel() == 0 || w.numel() == 0
            || x.size(2) != w.size(2) || w.stride(2) != 1 || w.stride(1) < w.size(2)
            || !Float32Cpu(x) || !Float32Cpu(w) || x.size(1) > BlockRows)
            return null;
        long groups = x.size(0), m = x.size(1), rows = w.size(1);
        if (slots is null ? w.size(0) != groups : slots.Count != groups || slots.Any(s => s < 0 || s >= w.size(0))) return null;
        var input = x.is_contiguous() ? x : x.contiguous();
        int columns = (int)w.size(2);
        var y = empty([groups, m, rows], ScalarType.Float32);
        float* w0 = (float*)TensorMemory.FirstElement(w), x0 = (float*)TensorMemory.Pointer(input), y0 = (float*)TensorMemory.Pointer(y);
        long slotStride = w.stride(0), rowStride = w.stride(1);
        long[] offsets = [.. Enumerable.Range(0, (int)groups).Select(u => (slots is null ? u : slots[u]) * slotStride)];
        long tiles = (rows + ProductAvx512.TileRows - 1) / ProductAvx512.TileRows;
        int threads = groups * rows * columns * sizeof(float) * m < MinParallelBytes ? 1 : IntraOpThreads.Current;
        GroupTiles(groups, tiles, threads, u => new ProductArgs
        {
            W = w0 + offsets[u], Rows = rows, WStride = rowStride, Columns = columns,
            X = x0 + u * m * columns, N = (int)m, Y = y0 + u * m * rows,
        });
        GC.KeepAlive(input);
        return y;
    }

    /// <summary>
    /// output[rows[m]] += s[m] · bᵀ (a LoRA expand added in place, <see cref="LowRankAvx512"/>): no delta tensor, no
    /// separate add. False where the kernel does not apply; the caller then keeps its product and add.
    /// </summary>
    /// <param name="output">[*, out], columns dense; written in place</param>
    /// <param name="s">[n, rank], rows at any stride, columns dense</param>
    /// <param name="b">[out, rank], outputs or ranks dense, the other at any stride (a pool slot, trimmed to a rank or not)</param>
    /// <param name="rows">[n] int64 rows of output, or null: row m of s adds to row m of output</param>
    public static bool AddLowRank(Tensor output, Tensor s, Tensor b, Tensor? rows = null) =>
        AddLowRank(output, s, b, rows, IntraOpThreads.Current, MinParallelBytes);

    /// <param name="threads">Threads the delta may use.</param>
    /// <param name="minParallelBytes">Rows times B's bytes below which it runs on the calling thread.</param>
    internal static bool AddLowRank(Tensor output, Tensor s, Tensor b, Tensor? rows, int threads, long minParallelBytes)
    {
        if (!LowRankAvx512.IsSupported || BlockRows == 0 || output.dim() != 2 || s.dim() != 2 || b.dim() != 2
            || s.size(1) != b.size(1) || s.size(1) is 0 or > LowRankAvx512.MaxRank || b.size(0) != output.size(1)
            || s.size(0) != (rows?.size(0) ?? output.size(0)) || s.size(0) == 0 || b.size(0) == 0
            || !DenseColumns(output) || !DenseColumns(s) || !LowRankFactor(b)
            || !Float32Cpu(output) || !Float32Cpu(s) || !Float32Cpu(b) || Overlapping(output)
            || rows is not null && !RowsWithin(rows, output.size(0)))
            return false;
        var args = new LowRankArgs
        {
            S = (float*)TensorMemory.FirstElement(s), SStride = s.stride(0), N = (int)s.size(0),
            B = (float*)TensorMemory.FirstElement(b), BOutStride = b.stride(0), BRankStride = b.stride(1), Rank = (int)b.size(1), Outputs = b.size(0),
            Y = (float*)TensorMemory.FirstElement(output), YStride = output.stride(0),
            Rows = rows is null ? null : (long*)TensorMemory.Pointer(rows),
        };
        int split = args.N * args.Outputs * args.Rank * sizeof(float) < minParallelBytes ? 1 : threads;
        TileParallel.For(args.Blocks, split, (b0, b1) => LowRankAvx512.Blocks(args, b0, b1));
        return true;
    }

    /// <summary>
    /// The expand of SGMV added in place: output[rows of group u] += s[u, j] · b[slot u]ᵀ for the first
    /// <see cref="SlotRowGroups.Count"/> rows j of every group (the rest of s is padding), all groups' blocks in one
    /// split over the threads. Each row gets the bits <see cref="AddLowRank(Tensor, Tensor, Tensor, Tensor?)"/> gives
    /// it alone. False where the kernel does not apply.
    /// </summary>
    /// <param name="output">[*, out], columns dense; written in place</param>
    /// <param name="s">[U, m, rank], groups and rows at any stride, columns dense</param>
    /// <param name="b">[S, out, rank], a pool (trimmed to a rank or not), outputs or ranks dense</param>
    public static bool AddLowRankGroups(Tensor output, Tensor s, Tensor b, SlotRowGroups groups) =>
        AddLowRankGroups(output, s, b, groups, IntraOpThreads.Current, MinParallelBytes);

    internal static bool AddLowRankGroups(Tensor output, Tensor s, Tensor b, SlotRowGroups groups, int threads, long minParallelBytes)
    {
        if (!LowRankAvx512.IsSupported || BlockRows == 0 || output.dim() != 2 || s.dim() != 3 || b.dim() != 3
            || s.size(0) != groups.Count || s.size(1) < groups.Widest || s.size(2) != b.size(2) || s.size(2) is 0 or > LowRankAvx512.MaxRank
            || b.size(1) != output.size(1) || b.size(1) == 0 || groups.Count == 0
            || s.stride(2) != 1 && s.size(2) > 1 || !DenseColumns(output) || !LowRankFactors(b)
            || !Float32Cpu(output) || !Float32Cpu(s) || !Float32Cpu(b) || Overlapping(output)
            || !groups.Within(b.size(0), output.size(0)))
            return false;
        float* s0 = (float*)TensorMemory.FirstElement(s), b0 = (float*)TensorMemory.FirstElement(b), y = (float*)TensorMemory.FirstElement(output);
        // Each stride and size is a call into libtorch: read once, not once per group.
        long sGroupStride = s.stride(0), sRowStride = s.stride(1), slotStride = b.stride(0), outStride = b.stride(1), rankStride = b.stride(2);
        long outputs = b.size(1), yStride = output.stride(0);
        int rank = (int)b.size(2);
        var args = new LowRankArgs[groups.Count];
        for (int u = 0; u < args.Length; u++)
            args[u] = new LowRankArgs
            {
                S = s0 + u * sGroupStride, SStride = sRowStride, N = groups.RowCount(u),
                B = b0 + groups.Slot(u) * slotStride, BOutStride = outStride, BRankStride = rankStride, Rank = rank, Outputs = outputs,
                Y = y, YStride = yStride, Rows = groups.Rows(u),
            };
        long blocks = args[0].Blocks;
        int split = groups.TotalRows * outputs * rank * sizeof(float) < minParallelBytes ? 1 : threads;
        TileParallel.For(groups.Count * blocks, split, (i0, i1) =>
        {
            for (long i = i0; i < i1;)
            {
                long u = i / blocks, first = i % blocks, last = Math.Min(blocks, first + (i1 - i));
                LowRankAvx512.Blocks(args[u], first, last);
                i += last - first;
            }
        });
        GC.KeepAlive(groups);
        return true;
    }

    /// <summary>Groups of one product each (activation rows, or an adapter slot's rows) times their weight tiles, in one
    /// split over the threads, a tile per item; each claimed run goes to the kernel a group's tiles at a time.</summary>
    private static void GroupTiles(long groups, long tiles, int threads, Func<long, ProductArgs> group) =>
        TileParallel.For(groups * tiles, threads, (i0, i1) =>
        {
            for (long i = i0; i < i1;)
            {
                long first = i % tiles, last = Math.Min(tiles, first + (i1 - i));
                ProductAvx512.Tiles(group(i / tiles), first, last);
                i += last - first;
            }
        });

    /// <summary>Int64 row indices on the CPU, each a row of the output: the kernel writes where they point, so anything
    /// else goes to libtorch's <c>index_add_</c>, which says what is wrong.</summary>
    private static bool RowsWithin(Tensor rows, long count)
    {
        if (rows.dtype != ScalarType.Int64 || rows.device_type != DeviceType.CPU || !rows.is_contiguous() || rows.dim() != 1) return false;
        var indices = new ReadOnlySpan<long>(TensorMemory.Pointer(rows), (int)rows.size(0));
        foreach (long row in indices)
            if (row < 0 || row >= count) return false;
        return true;
    }

    /// <summary>Rows that overlap: an in-place add would be refused.</summary>
    internal static bool Overlapping(Tensor output) => output.size(0) > 1 && output.stride(0) < output.size(1);

    /// <summary>[out, rank] with outputs or ranks at unit stride (or one of either), the other at any stride.</summary>
    private static bool LowRankFactor(Tensor b) => LowRankLayout(b, 0);

    /// <summary><see cref="LowRankFactor"/> for every slot of a pool [slots, out, rank], read from its strides (a
    /// select per call would make a tensor).</summary>
    private static bool LowRankFactors(Tensor pool) => LowRankLayout(pool, 1);

    /// <summary>Dimensions d (outputs) and d + 1 (ranks): either of length one or at unit stride.</summary>
    private static bool LowRankLayout(Tensor t, int d) => t.size(d) == 1 || t.size(d + 1) == 1 || t.stride(d) == 1 || t.stride(d + 1) == 1;

    /// <summary>Columns at unit stride (or one column), rows at any stride.</summary>
    internal static bool DenseColumns(Tensor t) => t.size(1) == 1 || t.stride(1) == 1;

    /// <summary>Rows at any stride, columns dense.</summary>
    private static bool RowMajor(Tensor weight) =>
        weight.dim() == 2 && weight.size(1) <= int.MaxValue && (weight.size(0) == 1 || weight.stride(0) >= weight.size(1)) && (weight.size(1) == 1 || weight.stride(1) == 1);

    /// <summary>Float32 on the CPU, and nothing autograd would record.</summary>
    internal static bool Float32Cpu(Tensor t) => t.dtype == ScalarType.Float32 && t.device_type == DeviceType.CPU && !Autograd.Records(t);
}
