using Peft.Runtime.Adapters.Lora;
using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Models;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Adapters;

/// <summary>
/// The slot lane's shortcuts (one slot's own product, one shrink for the sites that read one input, products cut to
/// the rank in use), each alone and all together, against the naive per-row formula on row patterns that reach
/// every path; and which path a batch took.
/// </summary>
public sealed class LoraFastPathTests
{
    private const int In = 12, QOut = 10, KvOut = 6, MaxRank = 8;

    // q, k and v read one input; o reads another.
    private static readonly LinearSite Q = new(0, 0, "q_proj", "model.layers.0.self_attn.q_proj", In, QOut);
    private static readonly LinearSite K = new(1, 0, "k_proj", "model.layers.0.self_attn.k_proj", In, KvOut) { SharesInputWith = 0 };
    private static readonly LinearSite V = new(2, 0, "v_proj", "model.layers.0.self_attn.v_proj", In, KvOut) { SharesInputWith = 0 };
    private static readonly LinearSite O = new(3, 0, "o_proj", "model.layers.0.self_attn.o_proj", QOut, In);

    public static TheoryData<string, int, (int Row, int Length, int Slot)[]> Patterns => new()
    {
        { "one slot, every row", 4, [(0, 1, 2), (1, 1, 2), (2, 1, 2), (3, 1, 2)] },
        { "one slot, base rows between", 5, [(0, 1, 2), (2, 1, 2), (3, 1, 2)] },
        { "one slot, prefill then decode", 6, [(0, 3, 1), (3, 1, 1), (4, 1, 1)] },
        { "one row", 4, [(2, 1, 3)] },
        { "three slots on every site, per-site ranks", 6, [(0, 1, 3), (1, 1, 0), (2, 1, 3), (3, 1, 5), (4, 1, 0)] },
        { "a slot without k among others", 7, [(0, 2, 4), (2, 1, 1), (3, 1, 4), (4, 1, 1), (5, 1, 0)] },
        { "prefill of two slots and decode of three", 9, [(0, 3, 0), (3, 2, 5), (5, 1, 5), (6, 1, 1), (7, 1, 0)] },
        { "one slot holding most rows", 8, [(0, 1, 2), (1, 1, 2), (2, 1, 2), (3, 1, 2), (4, 1, 0), (5, 1, 2), (6, 1, 3)] },
    };

    private static readonly LoraFastPaths[] Paths =
        [LoraFastPaths.None, LoraFastPaths.OneSlot, LoraFastPaths.SharedShrink, LoraFastPaths.TrimRank, LoraFastPaths.All & ~LoraFastPaths.FusedLane, LoraFastPaths.All];

    [Theory]
    [MemberData(nameof(Patterns))]
    public void Every_shortcut_alone_and_together_equals_the_per_row_formula(string pattern, int rows, (int Row, int Length, int Slot)[] segments)
    {
        using var scope = NewDisposeScope();
        using var pool = Pool();
        var x = randn(rows, In);
        var xk = randn(rows, In);        // k reading another tensor (a row hook changed its input)
        var xo = randn(rows, QOut);
        var lora = segments.Select(s => new LoraSegment(s.Row, s.Length, s.Slot)).ToArray();
        foreach (var kernel in new[] { LoraKernel.Gather, LoraKernel.Segment })
            foreach (var paths in Paths)
            {
                using var batch = new AdapterBatch(pool, lora, [], kernel, CPU, paths: paths);
                // Twice over one batch, the second time with k on its own input: a shared shrink is only reused for the same input.
                foreach (bool ownK in new[] { false, true })
                {
                    var kInput = ownK ? xk : x;
                    foreach (var (site, input) in new[] { (Q, x), (K, kInput), (V, x), (O, xo) })
                    {
                        var actual = batch.AfterLinear(site, input, zeros(rows, site.OutFeatures));
                        var expected = Naive(pool, site, input, lora);
                        Assert.True(actual.allclose(expected, rtol: 1e-5, atol: 1e-5),
                            $"{pattern}, {kernel}, {paths}, {site.Name}{(ownK ? " on its own input" : "")}: max |diff| {(actual - expected).abs().max().item<float>():E2}");
                    }
                }
            }
    }

    /// <summary>Wider sites than the patterns above (columns past whole 16-lane blocks, prefill runs longer than a
    /// piece), every row pattern at once.</summary>
    public static TheoryData<string, int, (int Row, int Length, int Slot)[]> FusedPatterns => new()
    {
        { "decode rows of five slots", 7, [(0, 1, 3), (1, 1, 0), (2, 1, 3), (3, 1, 5), (4, 1, 0), (5, 1, 1), (6, 1, 2)] },
        { "prefill runs longer than a piece, and decode", 44, [(0, 19, 1), (19, 1, 2), (20, 17, 3), (37, 1, 1), (38, 1, 0), (39, 5, 4)] },
        { "a slot without k among others", 7, [(0, 2, 4), (2, 1, 1), (3, 1, 4), (4, 1, 1), (5, 1, 0)] },
        { "one prefill run among base rows and another slot's row", 40, [(3, 33, 5), (38, 1, 2)] },
        { "a slot's adjacent decode rows, one piece", 21, [(0, 1, 2), (1, 1, 2), (2, 1, 5), (3, 1, 2), (4, 1, 2), (5, 16, 2)] },
    };

    [Theory]
    [MemberData(nameof(FusedPatterns))]
    public void The_fused_lane_gives_every_row_the_bits_of_the_parts(string pattern, int rows, (int Row, int Length, int Slot)[] segments)
    {
        using var scope = NewDisposeScope();
        const int wideIn = 70, wideQ = 37, wideKv = 20;
        LinearSite q = new(0, 0, "q_proj", "model.layers.0.self_attn.q_proj", wideIn, wideQ), o = new(3, 0, "o_proj", "model.layers.0.self_attn.o_proj", wideQ, wideIn);
        LinearSite k = new(1, 0, "k_proj", "model.layers.0.self_attn.k_proj", wideIn, wideKv) { SharesInputWith = 0 };
        LinearSite v = new(2, 0, "v_proj", "model.layers.0.self_attn.v_proj", wideIn, wideKv) { SharesInputWith = 0 };
        using var pool = Pool([q, k, v, o]);
        var (x, xo) = (randn(rows, wideIn), randn(rows, wideQ));
        var lora = segments.Select(s => new LoraSegment(s.Row, s.Length, s.Slot)).ToArray();
        using var fused = new AdapterBatch(pool, lora, [], LoraKernel.Segment, CPU);
        using var parts = new AdapterBatch(pool, lora, [], LoraKernel.Segment, CPU, paths: LoraFastPaths.All & ~LoraFastPaths.FusedLane);
        foreach (var (site, input) in new[] { (q, x), (k, x), (v, x), (o, xo) })
        {
            var start = randn(rows, site.OutFeatures);
            var expected = parts.AfterLinear(site, input, start.clone());
            var actual = fused.AfterLinear(site, input, start.clone());
            Assert.True(actual.eq(expected).all().item<bool>(), $"{pattern}, {site.Name}: max |diff| {(actual - expected).abs().max().item<float>():E2}");
        }
        Assert.Equal(4, fused.SlotLane!.FusedSites);
        Assert.Equal(0, parts.SlotLane!.FusedSites);
    }

    [Fact]
    public void Pieces_join_a_slots_adjacent_rows_up_to_sixteen_and_keep_a_slots_pieces_together()
    {
        LoraSegment[] segments = [new(0, 1, 2), new(1, 1, 2), new(2, 1, 5), new(3, 1, 2), new(4, 20, 2), new(24, 3, 0), new(27, 1, 5)];
        Assert.Equal(
            [new LanePiece(0, 24, 3), new LanePiece(2, 0, 2), new LanePiece(2, 3, 16), new LanePiece(2, 19, 5), new LanePiece(5, 2, 1), new LanePiece(5, 27, 1)],
            LanePiece.Of(segments));
    }

    [Fact]
    public void Rows_on_one_slot_take_its_own_product_and_share_the_shrink()
    {
        using var scope = NewDisposeScope();
        using var pool = Pool();
        var x = randn(5, In);

        using var adjacent = Run(pool, x, [new(0, 3, 1), new(3, 1, 1), new(4, 1, 1)], LoraFastPaths.All);
        Assert.All(adjacent.SlotLane!.Parts, p => Assert.IsType<RunPart>(p));
        Assert.Single(adjacent.SlotLane!.Parts);
        Assert.Equal(1, adjacent.SlotLane!.SharedShrinks);

        using var apart = Run(pool, x, [new(0, 1, 2), new(2, 1, 2), new(4, 1, 2)], LoraFastPaths.All);
        Assert.IsType<RowsPart>(Assert.Single(apart.SlotLane!.Parts));

        using var dominant = Run(pool, randn(7, In), [new(0, 1, 2), new(1, 1, 2), new(2, 1, 2), new(3, 1, 2), new(4, 1, 2), new(5, 1, 1), new(6, 1, 0)], LoraFastPaths.All);
        Assert.Collection(dominant.SlotLane!.Parts, p => Assert.IsType<RunPart>(p), p => Assert.IsType<SegmentPart>(p));

        using var plain = Run(pool, x, [new(0, 1, 2), new(2, 1, 2), new(4, 1, 2)], LoraFastPaths.None);
        Assert.IsType<SegmentPart>(Assert.Single(plain.SlotLane!.Parts));
        Assert.Equal(0, plain.SlotLane!.SharedShrinks);
        Assert.Equal(0, adjacent.SlotLane!.FusedSites + apart.SlotLane!.FusedSites + plain.SlotLane!.FusedSites);
        Assert.Equal(3, dominant.SlotLane!.FusedSites);
    }

    [Fact]
    public void Sites_of_one_input_targeted_by_different_slots_each_shrink_alone()
    {
        using var scope = NewDisposeScope();
        using var pool = Pool();
        // Slot 4 has no k: q and v are targeted by {1, 4}, k by {1} only.
        using var mixed = Run(pool, randn(3, In), [new(0, 1, 4), new(1, 1, 1), new(2, 1, 4)], LoraFastPaths.All);
        Assert.Equal(0, mixed.SlotLane!.SharedShrinks);
        using var shared = Run(pool, randn(3, In), [new(0, 1, 3), new(1, 1, 1), new(2, 1, 3)], LoraFastPaths.All);
        Assert.Equal(1, shared.SlotLane!.SharedShrinks);
        Assert.IsType<SegmentPart>(Assert.Single(shared.SlotLane!.Parts));
        Assert.Equal(2, mixed.SlotLane!.FusedSites);   // k: only slot 1 targets it, its own product
        Assert.Equal(3, shared.SlotLane!.FusedSites);
    }

    /// <summary>q, k and v of one step over <paramref name="x"/>; the batch, to read which path its slot lane took.</summary>
    private static AdapterBatch Run(LoraSlotPool pool, Tensor x, LoraSegment[] segments, LoraFastPaths paths)
    {
        var batch = new AdapterBatch(pool, segments, [], LoraKernel.Segment, CPU, paths: paths);
        foreach (var site in new[] { Q, K, V }) batch.AfterLinear(site, x, zeros(x.shape[0], site.OutFeatures));
        return batch;
    }

    /// <summary>
    /// Six slots of a pool of rank 8: slots 0 to 3 rank 2 to 5 on every site; slot 4 rank 8 on q and v only; slot 5
    /// a different rank on each site (as PEFT's rank_pattern gives).
    /// </summary>
    private static LoraSlotPool Pool() => Pool([Q, K, V, O]);

    /// <param name="all">q, k, v and o in that order.</param>
    private static LoraSlotPool Pool(LinearSite[] all)
    {
        manual_seed(7);
        var pool = new LoraSlotPool(all, slots: 6, MaxRank, ScalarType.Float32, CPU);
        for (int slot = 0; slot < 6; slot++)
        {
            var sites = slot == 4 ? new[] { all[0], all[2] } : all;
            var modules = sites.ToDictionary(s => s.Index, s =>
            {
                int rank = slot switch { 4 => MaxRank, 5 => 1 + s.Index, _ => 2 + slot };
                return new LoraModule(s, randn(rank, s.InFeatures), randn(s.OutFeatures, rank), rank, 0.5);
            });
            using var adapter = new LoraAdapter($"a{slot}", modules);
            pool.Load(slot, adapter);
        }
        return pool;
    }

    /// <summary>Row by row: y[r] = x[r] · A[slot]ᵀ · B[slot]ᵀ over the full padded rank, for the slots that target the site.</summary>
    private static Tensor Naive(LoraSlotPool pool, LinearSite site, Tensor x, LoraSegment[] segments)
    {
        var y = zeros(x.shape[0], site.OutFeatures);
        foreach (var s in segments)
        {
            if (!pool.Targets(s.Slot, site.Index)) continue;
            for (int r = s.Row; r < s.Row + s.Length; r++)
                y[r].copy_(x[r].matmul(pool.A(site.Index)![s.Slot].t()).matmul(pool.B(site.Index)![s.Slot].t()));
        }
        return y;
    }
}
