using System.Runtime.InteropServices;
using Peft.Kernels;
using Peft.Kernels.Float32;
using Peft.Runtime.Models.Layers;
using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.Serving;

/// <summary>Rows Row .. Row + Count - 1 of a step, all on one slot.</summary>
internal readonly record struct LanePiece(int Slot, int Row, int Count)
{
    /// <summary>Segments as pieces of at most <see cref="FusedSlotLane.PieceRows"/> rows, a slot's adjacent rows in one
    /// run (one product then reads its factor for all of them), a slot's pieces next to each other (a thread claiming
    /// several finds the slot's factors still in cache).</summary>
    public static LanePiece[] Of(IEnumerable<LoraSegment> segments)
    {
        var runs = new List<LoraSegment>();
        foreach (var s in segments.OrderBy(s => s.Slot).ThenBy(s => s.Row))
        {
            if (runs.Count > 0 && runs[^1] is var last && last.Slot == s.Slot && last.Row + last.Length == s.Row) runs[^1] = last with { Length = last.Length + s.Length };
            else runs.Add(s);
        }
        var pieces = new List<LanePiece>();
        foreach (var run in runs)
            for (int row = run.Row; row < run.Row + run.Length; row += FusedSlotLane.PieceRows)
                pieces.Add(new LanePiece(run.Slot, row, Math.Min(FusedSlotLane.PieceRows, run.Row + run.Length - row)));
        return [.. pieces];
    }
}

/// <summary>
/// The slot lane on float32 CPU tensors as one split over the threads per site. The step's rows go in pieces of one
/// slot each (<see cref="LanePiece"/>), and one thread shrinks a piece and adds its delta, so the threads never write
/// the same row and need no barrier between the two products. The parts of a <see cref="SlotPlan"/> run each prefill
/// run and the decode rows' SGMV as products of their own, each its own split with tensor views between: four prefill
/// chunks cost 1.5x one chunk of their total length, and at 32 slots the fixed cost was ~1 ms of a 9 ms lane
/// (docs/benchmarks.md). The bits are the parts' own: the same product kernel shrinks each row (a row's result does
/// not depend on the other rows) and the same expand kernel adds each row's delta. Of the G sites that read one input,
/// the first called shrinks for all of them (their A's interleaved by rank, as the pool keeps them) and regroups the
/// result by site in the lane's scratch; the others only expand from it. Owns its scratch (native, freed on dispose).
/// </summary>
internal sealed unsafe class FusedSlotLane : IDisposable
{
    public const int PieceRows = 16;

    /// <summary>Factor bytes below which a site runs on the calling thread (as for the products: waking another thread
    /// costs microseconds).</summary>
    private const long MinParallelBytes = 128 << 10;

    private readonly LoraSlotPool _pool;
    private readonly int _rows;          // rows of the step
    private readonly long _width;        // floats per row of each scratch: the largest rank in use · G_max
    private float* _shrunk;              // [rows, _width]: a piece's shrink as the product writes it, [Count, rank·G]
    private float* _bySite;              // [rows, _width]: a shared shrink regrouped, [Count, G, rank]

    private FusedSlotLane(LoraSlotPool pool, int rows, int rank, int widestGroup)
    {
        (_pool, _rows, _width) = (pool, rows, (long)rank * widestGroup);
        nuint bytes = (nuint)(rows * _width * sizeof(float));
        _shrunk = (float*)NativeMemory.AlignedAlloc(bytes, 64);
        _bySite = (float*)NativeMemory.AlignedAlloc(bytes, 64);
    }

    /// <summary>The lane for a step's segments, or null where the parts run instead: another kernel or fewer
    /// shortcuts than serving's (the plain paths tests compare with), a pool that is not float32 on the CPU, a CPU
    /// without AVX-512, or ranks past the expand kernel's.</summary>
    public static FusedSlotLane? For(LoraSlotPool pool, IReadOnlyList<LoraSegment> segments, LoraKernel kernel, LoraFastPaths paths)
    {
        if (kernel != LoraKernel.Segment || paths != LoraFastPaths.All || segments.Count == 0 || !pool.Float32Cpu
            || !ProductAvx512.IsSupported || !LowRankAvx512.IsSupported
            || FloatProducts.BlockRows == 0 || pool.MaxRank > LowRankAvx512.MaxRank || pool.LargestInputGroup == 0)
            return null;
        int rank = segments.Select(s => s.Slot).Distinct().Max(pool.LargestRank);
        return rank == 0 ? null : new FusedSlotLane(pool, segments.Max(s => s.Row + s.Length), rank, pool.LargestInputGroup);
    }

    /// <summary>Where the site's factors lie when the kernels read these tensors as they are (float32 rows on the CPU,
    /// the input dense, the output's columns dense, nothing autograd records); null where the parts run.</summary>
    public SiteFactorMemory? Applies(int site, Tensor input, Tensor output)
    {
        if (_pool.Float32Memory(site) is not { } memory) return null;
        bool fits = input.dim() == 2 && output.dim() == 2 && input.size(0) >= _rows && output.size(0) >= _rows
            && input.size(1) == memory.In && output.size(1) == memory.Out
            && FloatProducts.Float32Cpu(input) && FloatProducts.Float32Cpu(output) && input.is_contiguous()
            && FloatProducts.DenseColumns(output) && !FloatProducts.Overlapping(output);
        return fits ? memory : null;
    }

    /// <summary>
    /// output[piece rows] += (x[piece rows] · A[slot]ᵀ) · B[slot]ᵀ for every piece, ranks below <paramref name="rank"/>.
    /// Shared: the shrink is the input group's, against all G sites' A's (regrouped for the others'
    /// <see cref="Expand"/>); otherwise against the site's own A alone.
    /// </summary>
    public void ShrinkAndExpand(SiteFactorMemory site, bool shared, Tensor input, Tensor output, LanePiece[] pieces, int rank)
    {
        if ((long)rank * (shared ? site.Group : 1) > _width) throw new ArgumentOutOfRangeException(nameof(rank), rank, "past the ranks of the step's slots");
        var call = Call(site, output, rank) with { X = (float*)TensorMemory.Pointer(input), Shared = shared };
        TileParallel.For(pieces.Length, Threads(site, pieces, rank), 1, (p0, p1) =>
        {
            for (long p = p0; p < p1; p++) call.ShrinkAndExpand(pieces[p]);
        });
        GC.KeepAlive(input);
        GC.KeepAlive(output);
    }

    /// <summary>output[piece rows] += the group's shrink held since its <see cref="ShrinkAndExpand"/> · B[slot]ᵀ.</summary>
    public void Expand(SiteFactorMemory site, Tensor output, LanePiece[] pieces, int rank)
    {
        var call = Call(site, output, rank) with { Shared = true };
        TileParallel.For(pieces.Length, Threads(site, pieces, rank), 1, (p0, p1) =>
        {
            for (long p = p0; p < p1; p++) call.Expand(pieces[p]);
        });
        GC.KeepAlive(output);
    }

    private PieceCall Call(SiteFactorMemory site, Tensor output, int rank) => new()
    {
        Site = site, Rank = rank, Width = _width, Shrunk = _shrunk, BySite = _bySite,
        Y = (float*)TensorMemory.FirstElement(output), YStride = output.stride(0),
    };

    private static int Threads(SiteFactorMemory site, LanePiece[] pieces, int rank) =>
        (long)pieces.Length * rank * (site.In + site.Out) * sizeof(float) < MinParallelBytes ? 1 : IntraOpThreads.Current;

    public void Dispose()
    {
        NativeMemory.AlignedFree(_shrunk);
        NativeMemory.AlignedFree(_bySite);
        _shrunk = _bySite = null;
    }

    /// <summary>One site's work on one piece, as raw memory.</summary>
    private readonly struct PieceCall
    {
        public required SiteFactorMemory Site { get; init; }
        public required int Rank { get; init; }
        public required long Width { get; init; }
        public required float* Shrunk { get; init; }
        public required float* BySite { get; init; }
        public required float* Y { get; init; }
        public required long YStride { get; init; }
        public float* X { get; init; }
        public bool Shared { get; init; }

        public void ShrinkAndExpand(LanePiece piece)
        {
            var f = Site;
            int g = f.Group, rank = Rank;
            // The group's first rank·G rows of A, or this site's rank rows, In·G apart.
            var shrink = new ProductArgs
            {
                W = f.A + piece.Slot * f.ASlotStride + (Shared ? 0 : f.Position * (long)f.In),
                Rows = Shared ? rank * g : rank, WStride = Shared ? f.In : (long)f.In * g, Columns = f.In,
                X = X + (long)piece.Row * f.In, N = piece.Count, Y = Shrunk + piece.Row * Width,
            };
            ProductAvx512.Tiles(shrink, 0, shrink.Tiles);
            if (!Shared || g == 1)
            {
                Expand(piece, shrink.Y, rank);
                return;
            }
            // [Count, rank·G] with site g's columns g, G+g, ... → [Count, G, rank]: each site's ranks dense for the expand.
            float* regrouped = Regrouped(piece);
            for (int m = 0; m < piece.Count; m++)
                for (int r = 0; r < rank; r++)
                    for (int s = 0; s < g; s++) regrouped[(m * g + s) * rank + r] = shrink.Y[m * rank * g + r * g + s];
            Expand(piece);
        }

        /// <summary>This site's delta from the piece's shrink regrouped by site (<see cref="Regrouped"/>).</summary>
        public void Expand(LanePiece piece) => Expand(piece, Regrouped(piece) + Site.Position * Rank, Site.Group * Rank);

        /// <summary>The piece's shared shrink regrouped by site, [Count, G, rank].</summary>
        private float* Regrouped(LanePiece piece) => BySite + piece.Row * Width;

        private void Expand(LanePiece piece, float* s, long sStride)
        {
            var f = Site;
            var args = new LowRankArgs
            {
                S = s, SStride = sStride, N = piece.Count,
                B = f.B + piece.Slot * f.BSlotStride, BOutStride = 1, BRankStride = f.Out, Rank = Rank, Outputs = f.Out,
                Y = Y + piece.Row * YStride, YStride = YStride,
            };
            LowRankAvx512.Blocks(args, 0, args.Blocks);
        }
    }
}
