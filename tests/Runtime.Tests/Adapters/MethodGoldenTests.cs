using Peft.Runtime.Adapters;
using Peft.Runtime.Adapters.Dora;
using Peft.Runtime.Adapters.Lora;
using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Engine.Batching;
using Peft.Runtime.Models.Cache;
using Peft.Runtime.Tests.Fixtures;
using Peft.Runtime.Tests.Models;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Adapters;

/// <summary>
/// Every case of tests/fixtures/methods (PEFT's newer methods, saved by PEFT, on bases with randomised norms and
/// biases) against PEFT's own logits: alone at every prompt position, alone through the engine's paged path (chunked
/// prefill, then decoding), and all together in one batch with LoRA, prefix, prompt, P-tuning and base rows.
/// </summary>
public sealed class MethodGoldenTests(ITestOutputHelper output)
{
    /// <summary>The test matrix: a method's cases are one row each.</summary>
    public static TheoryData<string> Cases => new()
    {
        "llama__base", "llama__lora_qv", "llama__prefix", "llama__prompt", "llama__ptuning", "gpt2__base", "qwen2__base",
        "llama__dora", "llama__dora_rslora_pattern", "gpt2__dora", "qwen2__dora",
        "llama__ia3", "gpt2__ia3", "qwen2__ia3",
        "llama__adalora", "qwen2__adalora",
        "llama__loha", "qwen2__loha", "llama__lokr", "llama__lokr_full",
        "llama__vera", "llama__vera_prng", "gpt2__vera",
        "llama__lora_embed_head", "gpt2__lora_embed_head", "qwen2__lora_embed_head", "llama__dora_embed",
        "llama__lora_bias_all", "gpt2__lora_bias_all", "qwen2__lora_bias_all", "llama__lora_bias_lora_only",
        "llama__mpt_task0", "llama__mpt_task2",
    };

    /// <summary>Rows of the mixed batch: every Llama case, base twice.</summary>
    private static readonly string[] MixedCases =
    [
        "llama__base", "llama__lora_qv", "llama__prefix", "llama__prompt", "llama__ptuning", "llama__base",
        "llama__dora", "llama__dora_rslora_pattern",
        "llama__ia3", "llama__adalora", "llama__loha", "llama__lokr", "llama__lokr_full",
        "llama__vera", "llama__vera_prng", "llama__lora_embed_head", "llama__dora_embed",
        "llama__lora_bias_all", "llama__lora_bias_lora_only", "llama__mpt_task0", "llama__mpt_task2",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_position_matches_peft(string name)
    {
        var golden = MethodFixtures.Case(name);
        var model = ModelCache.For(golden);
        using var runner = new CachedRunner(model, loraSlots: 2);
        using var adapter = Open(golden, runner, slot: 1);
        using var scope = NewDisposeScope();
        double worst = 0;
        foreach (var prompt in golden.Prompts)
        {
            var logits = adapter is null ? BaseModelGoldenTests.DenseForward(model, prompt.InputIds) : adapter.DenseForward(prompt.InputIds);
            worst = Math.Max(worst, GoldenAssert.Close(golden.Logits($"{prompt.Name}.all_logits"), logits, $"{name} {prompt.Name} every position"));
        }
        output.WriteLine($"{name}: max |logit diff| {worst:E2} over every prompt position");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Greedy_decoding_over_the_paged_cache_matches_peft(string name)
    {
        var golden = MethodFixtures.Case(name);
        var model = ModelCache.For(golden);
        using var runner = new CachedRunner(model, blocks: 128, loraSlots: 2);
        using var adapter = Open(golden, runner, slot: 1);
        double worst = 0;
        foreach (var prompt in golden.Prompts)
        {
            using var scope = NewDisposeScope();
            var seq = adapter?.NewSequence() ?? runner.NewSequence();
            var binding = adapter?.Binding;
            var stepLogits = golden.Logits($"{prompt.Name}.gen_step_logits");
            var generated = new List<int>();
            // Prefill in chunks of 3 (virtual tokens and the head's rows then fall across chunk boundaries).
            int[] first = adapter?.FirstChunk(prompt.InputIds) ?? prompt.InputIds;
            Tensor logits = null!;
            for (int start = 0; start < first.Length; start += 3)
                logits = runner.Step([new SequenceChunk(seq, first[start..Math.Min(first.Length, start + 3)], binding)])[0];
            for (int step = 0; step < prompt.GreedyNewTokens.Length; step++)
            {
                if (step > 0) logits = runner.Step([new SequenceChunk(seq, [prompt.GreedyNewTokens[step - 1]], binding)])[0];
                worst = Math.Max(worst, GoldenAssert.Close(stepLogits[step], logits, $"{name} {prompt.Name} step {step}"));
                generated.Add((int)logits.argmax().item<long>());
            }
            GoldenAssert.SameGreedy(prompt.GreedyNewTokens, prompt.StepMargins, generated, $"{name} {prompt.Name}");
            seq.Release(runner.Cache.Blocks);
        }
        Assert.Equal(0, runner.Cache.Blocks.UsedCount);
        output.WriteLine($"{name}: max |logit diff| {worst:E2} over 16 greedy steps per prompt");
    }

    /// <summary>Low-rank cases whose ranks and scalings PEFT reported after loading (resolved_modules).</summary>
    public static TheoryData<string> LowRankCases => new() { "llama__lora_qv", "llama__dora_rslora_pattern", "llama__adalora", "qwen2__adalora" };

    [Theory]
    [MemberData(nameof(LowRankCases))]
    public void Ranks_and_scalings_resolve_as_peft_resolved_them(string name)
    {
        var golden = MethodFixtures.Case(name);
        var model = ModelCache.For(golden);
        using var host = AdapterReader.Read(name, golden.AdapterDirectory!, BaseModel.Of(model));
        var lora = host switch
        {
            LoraAdapter l => l,
            DoraAdapter d => d.Lora,
            _ => throw new InvalidOperationException(host.GetType().Name),
        };
        var modules = lora.Modules.Values.ToDictionary(m => m.Site.Path);
        var resolved = golden.Expected.GetProperty("resolved_modules").EnumerateObject().ToArray();
        // A module AdaLoRA pruned to rank 0 changes nothing and is not served.
        Assert.Equal(resolved.Where(m => m.Value.GetProperty("r").GetInt32() > 0).Select(m => m.Name).Order(), modules.Keys.Order());
        foreach (var m in resolved.Where(m => modules.ContainsKey(m.Name)))
        {
            Assert.Equal(m.Value.GetProperty("r").GetInt32(), modules[m.Name].Rank);
            double scaling = m.Value.GetProperty("scaling").GetDouble();
            if (m.Value.TryGetProperty("ranknum", out var ranknum)) scaling /= ranknum.GetDouble() + 1e-5;
            Assert.Equal(scaling, modules[m.Name].Scaling, 9);
        }
    }

    public static TheoryData<LoraKernel> Kernels => new() { LoraKernel.Gather, LoraKernel.Segment };

    [Theory]
    [MemberData(nameof(Kernels))]
    public void A_batch_mixing_every_method_matches_each_row_alone(LoraKernel kernel)
    {
        var model = ModelCache.For(MethodFixtures.Case("llama__base"));
        using var runner = new CachedRunner(model, blocks: 1024, loraSlots: MixedCases.Length, kernel: kernel);
        var adapters = new List<AdapterUnderTest>();
        try
        {
            var rows = new List<Row>();
            for (int i = 0; i < MixedCases.Length; i++)
            {
                var golden = MethodFixtures.Case(MixedCases[i]);
                var adapter = Open(golden, runner, slot: i);
                if (adapter is not null) adapters.Add(adapter);
                // Different prompts, so rows sit at different lengths and positions.
                var prompt = golden.Prompts[i % golden.Prompts.Count];
                rows.Add(new Row(golden, prompt, adapter, adapter?.NewSequence() ?? runner.NewSequence()));
            }

            using var scope = NewDisposeScope();
            double worst = 0;
            for (int step = 0; step < 16; step++)
            {
                var chunks = rows.Select(r => new SequenceChunk(r.Sequence,
                    step == 0 ? r.Adapter?.FirstChunk(r.Prompt.InputIds) ?? r.Prompt.InputIds : [r.Prompt.GreedyNewTokens[step - 1]],
                    r.Adapter?.Binding)).ToArray();
                var logits = runner.Step(chunks);
                for (int i = 0; i < rows.Count; i++)
                {
                    var expected = rows[i].Golden.Logits($"{rows[i].Prompt.Name}.gen_step_logits")[step];
                    worst = Math.Max(worst, GoldenAssert.Close(expected, logits[i], $"{MixedCases[i]} {rows[i].Prompt.Name} step {step} in a mixed batch ({kernel})"));
                    rows[i].Generated.Add((int)logits[i].argmax().item<long>());
                }
            }
            foreach (var r in rows)
                GoldenAssert.SameGreedy(r.Prompt.GreedyNewTokens, r.Prompt.StepMargins, r.Generated, $"{r.Golden.Name} mixed");
            output.WriteLine($"{MixedCases.Length} rows, {kernel}: max |logit diff| {worst:E2}");
        }
        finally
        {
            foreach (var a in adapters) a.Dispose();
        }
    }

    private static AdapterUnderTest? Open(GoldenCase golden, CachedRunner runner, int slot) =>
        golden.AdapterDirectory is { } dir ? AdapterUnderTest.Read(ModelCache.For(golden), dir, runner, slot, golden.TaskId) : null;

    private sealed record Row(GoldenCase Golden, GoldenPrompt Prompt, AdapterUnderTest? Adapter, SequenceKv Sequence)
    {
        public List<int> Generated { get; } = [];
    }
}
