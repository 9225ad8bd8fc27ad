using Peft.Runtime.Models;
using Peft.Runtime.Models.Attention;
using Peft.Runtime.Models.Cache;
using Peft.Runtime.Models.Layers;
using Peft.Runtime.Tests.Fixtures;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Models;

/// <summary>Every base case of tests/fixtures/hf against transformers' own outputs.</summary>
public sealed class BaseModelGoldenTests
{
    // The last three are the blind spots of the shared fixtures (norm weights of 1, GPT-2 biases of 0, no linear RoPE
    // scaling), made by tools/reference/blind_spots.py with the same reference stack.
    private static readonly string[] FamilyNames = ["llama", "gpt2", "qwen2", "llama3rope", "mistral", "llama_norms", "gpt2_bias", "llama_linrope"];

    public static TheoryData<string> Families => new(FamilyNames);

    [Theory]
    [MemberData(nameof(Families))]
    public void Full_prompt_forward_matches_every_position(string family)
    {
        var golden = HfFixtures.Case($"{family}__base");
        var model = ModelCache.Family(family);
        using var scope = NewDisposeScope();
        foreach (var prompt in golden.Prompts)
        {
            var logits = DenseForward(model, prompt.InputIds);
            GoldenAssert.Close(golden.Logits($"{prompt.Name}.last_logits"), logits[^1], $"{family} {prompt.Name} last");
            if (golden.HasLogits($"{prompt.Name}.all_logits"))
                GoldenAssert.Close(golden.Logits($"{prompt.Name}.all_logits"), logits, $"{family} {prompt.Name} all positions");
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Greedy_decoding_over_the_paged_cache_matches_generate(string family)
    {
        var golden = HfFixtures.Case($"{family}__base");
        var model = ModelCache.Family(family);
        using var runner = new CachedRunner(model);
        foreach (var prompt in golden.Prompts)
        {
            using var scope = NewDisposeScope();
            var seq = runner.NewSequence();
            var generated = new List<int>();
            var stepLogits = golden.Logits($"{prompt.Name}.gen_step_logits");
            int[] next = prompt.InputIds;
            for (int step = 0; step < prompt.GreedyNewTokens.Length; step++)
            {
                var logits = runner.Step([(seq, next)])[0];
                generated.Add((int)logits.argmax().item<long>());
                // Teacher forcing keeps every step comparable even after a near-tie.
                next = [prompt.GreedyNewTokens[step]];
                GoldenAssert.Close(stepLogits[step], logits, $"{family} {prompt.Name} step {step}");
            }
            GoldenAssert.SameGreedy(prompt.GreedyNewTokens, prompt.StepMargins, generated, $"{family} {prompt.Name}");
            seq.Release(runner.Cache.Blocks);
        }
        Assert.Equal(0, runner.Cache.Blocks.UsedCount);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void A_batch_mixing_prefill_and_decode_at_different_positions_has_no_cross_talk(string family)
    {
        var golden = HfFixtures.Case($"{family}__base");
        var model = ModelCache.Family(family);
        var prompts = golden.Prompts.Where(p => p.InputIds.Length + 17 <= model.Config.MaxPositionEmbeddings).ToArray();
        using var runner = new CachedRunner(model, blocks: 256);
        using var scope = NewDisposeScope();

        // Sequence 0 starts alone; each later sequence joins while the earlier ones are decoding, and one prompt is
        // prefilled in two chunks so a chunk attends over a cache it wrote in an earlier pass.
        var sequences = prompts.Select(_ => runner.NewSequence()).ToArray();
        var pending = prompts.Select(p => new Queue<int[]>(Chunks(p.InputIds))).ToArray();
        var produced = prompts.Select(_ => new List<int>()).ToArray();
        var stepLogits = prompts.Select(p => golden.Logits($"{p.Name}.gen_step_logits")).ToArray();
        for (int pass = 0; produced.Any(p => p.Count < 16); pass++)
        {
            var items = new List<(SequenceKv, int[])>();
            var owners = new List<int>();
            for (int s = 0; s < prompts.Length; s++)
            {
                if (s > pass || produced[s].Count == 16) continue;
                int[] tokens = pending[s].Count > 0 ? pending[s].Dequeue() : [prompts[s].GreedyNewTokens[produced[s].Count - 1]];
                items.Add((sequences[s], tokens));
                owners.Add(s);
            }
            var logits = runner.Step(items);
            for (int i = 0; i < owners.Count; i++)
            {
                int s = owners[i];
                if (pending[s].Count > 0) continue;   // a first chunk: its logits are not a generation step
                GoldenAssert.Close(stepLogits[s][produced[s].Count], logits[i], $"{family} {prompts[s].Name} step {produced[s].Count} in a mixed batch");
                produced[s].Add((int)logits[i].argmax().item<long>());
            }
        }
        for (int s = 0; s < prompts.Length; s++)
            GoldenAssert.SameGreedy(prompts[s].GreedyNewTokens, prompts[s].StepMargins, produced[s], $"{family} {prompts[s].Name} mixed");
    }

    /// <summary>The families with rotary positions (their expected.json has HF's inverse frequencies; GPT-2 learns positions).</summary>
    public static TheoryData<string> RopeFamilies => new(FamilyNames.Where(f => HfFixtures.Case($"{f}__base").Expected.TryGetProperty("rope", out _)));

    [Theory]
    [MemberData(nameof(RopeFamilies))]
    public void Rope_frequencies_are_bit_identical_to_transformers(string family)
    {
        var rope = HfFixtures.Case($"{family}__base").Expected.GetProperty("rope");
        var config = ModelCache.Family(family).Config;
        var expected = rope.GetProperty("inv_freq_hf_float32").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        Assert.Equal(expected, RotaryEmbedding.InverseFrequencies(config.HeadDim, config.Rope!));
    }

    private static IEnumerable<int[]> Chunks(int[] prompt) => prompt.Length > 8
        ? [prompt[..(prompt.Length / 2)], prompt[(prompt.Length / 2)..]]
        : [prompt];

    /// <returns>[n, vocab] logits of every position, without a cache.</returns>
    internal static Tensor DenseForward(CausalLM model, int[] ids, IForwardHooks? hooks = null, DenseAttention? attention = null)
    {
        var batch = new ForwardBatch
        {
            TokenIds = tensor(ids.Select(i => (long)i).ToArray(), device: model.Device),
            Positions = arange(ids.Length, dtype: ScalarType.Int64, device: model.Device),
            QueryLengths = [ids.Length],
        };
        return model.Forward(batch, attention ?? new DenseAttention(batch.QueryLengths), hooks).cpu();
    }
}
