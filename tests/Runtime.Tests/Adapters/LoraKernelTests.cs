using Peft.Runtime.Adapters.Lora;
using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Models;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Adapters;

/// <summary>The two LoRA kernels against the naive per-row formula, on slot patterns that hit every path.</summary>
public sealed class LoraKernelTests
{
    public static TheoryData<int[]> SlotPatterns => new()
    {
        new[] { 3, 0, 3, 5, 0, 3 },   // repeats (padded groups), slots not a range
        new[] { 2, 0, 1, 3 },         // one row per slot, a range: read straight from the pool
        new[] { 1, 1, 1 },            // one adapter for every row
        new[] { 4, 2 },               // distinct, not a range
    };

    [Theory]
    [MemberData(nameof(SlotPatterns))]
    public void Gather_and_segment_kernels_equal_the_per_row_formula(int[] slots)
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var site = new LinearSite(0, 0, "q_proj", "model.layers.0.self_attn.q_proj", 12, 10);
        using var pool = new LoraSlotPool([site], slots: 6, maxRank: 4, ScalarType.Float32, CPU);
        for (int slot = 0; slot < 6; slot++)
        {
            // Ranks 2 to 4: the pool pads the smaller ones with zeros.
            int rank = 2 + slot % 3;
            using var adapter = new LoraAdapter($"a{slot}", new Dictionary<int, LoraModule> { [0] = new(site, randn(rank, 12), randn(10, rank), rank, 0.5) });
            pool.Load(slot, adapter);
        }

        var x = randn(slots.Length + 1, 12);           // the last row has no adapter
        var expected = zeros(slots.Length + 1, 10);
        for (int r = 0; r < slots.Length; r++)
            expected[r].copy_(x[r].matmul(pool.A(0)![slots[r]].t()).matmul(pool.B(0)![slots[r]].t()));   // B already holds the scaling

        foreach (var kernel in new[] { LoraKernel.Gather, LoraKernel.Segment })
        {
            var segments = slots.Select((s, r) => new LoraSegment(r, 1, s)).ToArray();
            using var batch = new AdapterBatch(pool, segments, [], kernel, CPU);
            var actual = batch.AfterLinear(site, x, zeros(slots.Length + 1, 10));
            Assert.True(actual.allclose(expected, rtol: 1e-5, atol: 1e-5), $"{kernel} on slots [{string.Join(",", slots)}]");
        }
    }
}
