using Peft.Kernels.Attention;
using Peft.Runtime.Models.Attention;
using Peft.Runtime.Torch;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Models;

/// <summary>
/// The in-place decode kernel reads each sequence's entries through its slots, scattered over the cache as the block
/// allocator leaves them, and computes what the eager reference computes over that sequence's context alone; a
/// sequence's result is the same bit for bit whatever else is in the batch and however the items are split.
/// </summary>
public sealed unsafe class RowAttentionTests
{
    [Theory]
    [InlineData(8, 2, 16)]    // grouped-query heads
    [InlineData(4, 4, 64)]    // one key head per query head
    [InlineData(6, 3, 72)]    // a head dimension with a tail past the last 16 lanes
    [InlineData(2, 1, 5)]     // shorter than one vector
    [InlineData(10, 2, 20)]   // five query heads per key head: four together, then one
    [InlineData(16, 4, 64)]   // four heads per key head, each query row in four vectors: the rows stay in registers
    [InlineData(12, 2, 48)]   // six per key head, three vectors each: four in registers, then two the general way
    public void Matches_the_eager_reference_over_each_sequences_own_context(int heads, int kvHeads, int dim)
    {
        if (!RowAttention.IsSupported) return;   // libtorch's kernel runs on such CPUs
        using var scope = NewDisposeScope();
        manual_seed(heads * 100 + dim);
        int[] lengths = [3, 40, 1, 17];
        int slotsInCache = 128;
        var keys = randn(slotsInCache, kvHeads, dim);
        var values = randn(slotsInCache, kvHeads, dim);
        var q = randn(lengths.Length, heads, dim);
        var permutation = randperm(slotsInCache).data<long>().ToArray();
        var slots = new long[lengths.Sum()];
        var starts = new int[lengths.Length];
        for (int b = 0, at = 0; b < lengths.Length; at += lengths[b], b++)
        {
            starts[b] = at;
            Array.Copy(permutation, at, slots, at, lengths[b]);
        }

        var whole = Run(q, keys, values, slots, starts, lengths, heads, kvHeads, dim, split: 1);
        for (int b = 0; b < lengths.Length; b++)
        {
            var index = tensor(slots.AsSpan(starts[b], lengths[b]).ToArray());
            var reference = AttentionMath.Causal(q[b].unsqueeze(0), keys.index_select(0, index), values.index_select(0, index));
            GoldenAssert.Close(reference, whole[b].unsqueeze(0), $"sequence {b}", 1e-5);

            var alone = Run(q[b].unsqueeze(0).contiguous(), keys, values, slots, [starts[b]], [lengths[b]], heads, kvHeads, dim, split: 1);
            Assert.True(alone.eq(whole[b].unsqueeze(0)).all().item<bool>(), $"sequence {b} alone");
        }
        var split = Run(q, keys, values, slots, starts, lengths, heads, kvHeads, dim, split: 3);
        Assert.True(split.eq(whole).all().item<bool>(), "items split three ways");
    }

    private static Tensor Run(Tensor q, Tensor keys, Tensor values, long[] slots, int[] starts, int[] lengths, int heads, int kvHeads, int dim, int split)
    {
        var output = empty(q.shape[0], heads * dim);
        fixed (long* s = slots)
        fixed (int* st = starts, l = lengths)
        {
            var args = new RowAttentionArgs
            {
                Q = (float*)TensorMemory.Pointer(q), Keys = (float*)TensorMemory.Pointer(keys), Values = (float*)TensorMemory.Pointer(values),
                Slots = s, Starts = st, Lengths = l, Heads = heads, KvHeads = kvHeads, Dim = dim, Scale = 1f / MathF.Sqrt(dim),
                Output = (float*)TensorMemory.Pointer(output),
            };
            long items = q.shape[0] * kvHeads;
            for (long i = 0; i < items; i += split) RowAttention.Items(args, i, Math.Min(items, i + split));
        }
        return output;
    }
}
