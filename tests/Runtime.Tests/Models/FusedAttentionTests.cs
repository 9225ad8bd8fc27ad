using Peft.Runtime.Models.Attention;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Models;

/// <summary>The fused kernels the paged cache runs compute what the eager reference computes.</summary>
public sealed class FusedAttentionTests
{
    [Theory]
    [InlineData(16, 4, 7, 7)]     // grouped-query heads, a prompt alone (plain causal)
    [InlineData(16, 4, 5, 12)]    // a chunk after 7 cached entries
    [InlineData(4, 4, 9, 9)]      // one key head per query head
    [InlineData(6, 2, 1, 10)]     // one query over a cache
    public void Causal_matches_the_eager_reference(int heads, int kvHeads, int queries, int context)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var q = randn(queries, heads, 8);
        var k = randn(context, kvHeads, 8);
        var v = randn(context, kvHeads, 8);
        var fused = FusedAttention.Causal(q, k, v, FusedAttention.CausalMask(queries, context, CPU));
        GoldenAssert.Close(AttentionMath.Causal(q, k, v), fused, "causal", 1e-5);
    }

    [Fact]
    public void Decode_over_padded_contexts_matches_the_eager_reference_row_by_row()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        int[] lengths = [3, 11, 1, 8];
        int width = lengths.Max(), heads = 8, kvHeads = 2, dim = 16;
        var q = randn(lengths.Length, heads, dim);
        var k = randn(lengths.Length, width, kvHeads, dim);
        var v = randn(lengths.Length, width, kvHeads, dim);
        var attend = arange(width).unsqueeze(0).lt(tensor(lengths.Select(l => (long)l).ToArray()).unsqueeze(1)).view(lengths.Length, 1, 1, width);
        // Keys and values as strided views, the way the paged cache hands them over.
        var fused = FusedAttention.Decode(q, k.transpose(1, 2).contiguous().transpose(1, 2), v, attend);
        for (int b = 0; b < lengths.Length; b++)
        {
            var alone = AttentionMath.Causal(q[b].unsqueeze(0), k[b].narrow(0, 0, lengths[b]), v[b].narrow(0, 0, lengths[b]));
            GoldenAssert.Close(alone, fused[b].unsqueeze(0), $"decode row {b}", 1e-5);
        }
        var eager = AttentionMath.Decode(q, k, v, attend.logical_not().view(lengths.Length, width));
        GoldenAssert.Close(eager, fused, "decode batch", 1e-5);
    }
}
