using Peft.Kernels.Attention;
using Peft.Runtime.Models.Attention;
using Peft.Runtime.Models.Cache;
using Peft.Runtime.Models.Config;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Models;

/// <summary>
/// With a float32 cache on the CPU every row attends in place, prefill rows as well as decode rows: a prompt's rows get
/// the same bits as one chunk, as two chunks and decoded one at a time, beside another sequence's decode row, and what
/// the eager causal reference computes over the prompt.
/// </summary>
public sealed class PagedAttentionTests
{
    private const int Heads = 8, KvHeads = 2, Dim = 16, Prompt = 11;

    [Fact]
    public void A_prompt_gets_the_same_bits_in_any_chunking_and_what_the_causal_reference_gives()
    {
        if (!RowAttention.IsSupported) return;   // libtorch's kernels run on such CPUs
        using var scope = NewDisposeScope();
        manual_seed(7);
        var q = randn(Prompt, Heads, Dim);
        var k = randn(Prompt, KvHeads, Dim);
        var v = randn(Prompt, KvHeads, Dim);

        var whole = Run([Prompt], q, k, v);
        var reference = AttentionMath.Causal(q, k, v);
        GoldenAssert.Close(reference, whole, "one chunk against the eager reference", 1e-5);
        Assert.True(Run([4, 7], q, k, v).eq(whole).all().item<bool>(), "two chunks");
        Assert.True(Run([.. Enumerable.Repeat(1, Prompt)], q, k, v).eq(whole).all().item<bool>(), "one row at a time");
    }

    /// <summary>The prompt through <paramref name="chunks"/> steps, each beside a decode row of another sequence.</summary>
    private static Tensor Run(int[] chunks, Tensor q, Tensor k, Tensor v)
    {
        var config = new ModelConfig
        {
            Family = ModelFamily.Llama, Architecture = "LlamaForCausalLM", ModelType = "llama", VocabSize = 16, HiddenSize = Heads * Dim,
            IntermediateSize = 8, NumLayers = 1, NumHeads = Heads, NumKeyValueHeads = KvHeads, HeadDim = Dim,
            MaxPositionEmbeddings = 64, NormEps = 1e-5, TieWordEmbeddings = false,
        };
        using var cache = new KvCache(config, blockCount: 16, blockSize: 4, ScalarType.Float32, CPU);
        var other = cache.NewSequence();
        var prompt = cache.NewSequence();
        Assert.True(other.TryReserve(5, cache.Blocks));   // the other sequence's blocks first: the prompt's slots start past them
        other.Commit(4);
        var outputs = new List<Tensor>();
        int at = 0;
        foreach (int chunk in chunks)
        {
            Assert.True(prompt.TryReserve(chunk, cache.Blocks));
            Assert.True(other.TryReserve(1, cache.Blocks));
            var rows = cat([q.narrow(0, at, chunk), randn(1, Heads, Dim)]);
            var attention = new PagedAttention(cache, [prompt, other], [chunk, 1], CPU);
            var output = attention.Attend(0, rows, cat([k.narrow(0, at, chunk), randn(1, KvHeads, Dim)]), cat([v.narrow(0, at, chunk), randn(1, KvHeads, Dim)]));
            outputs.Add(output.narrow(0, 0, chunk));
            prompt.Commit(chunk);
            other.Commit(1);
            at += chunk;
        }
        return cat(outputs).view(Prompt, Heads, Dim).reshape(Prompt, Heads * Dim);
    }
}
