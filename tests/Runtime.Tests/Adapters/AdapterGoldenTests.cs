using Peft.Runtime.Engine.Batching;
using Peft.Runtime.Tests.Fixtures;
using Peft.Runtime.Tests.Models;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Adapters;

/// <summary>Every adapter case of tests/fixtures/hf (saved by PEFT itself) against PEFT's own outputs.</summary>
public sealed class AdapterGoldenTests
{
    private static readonly string[] CaseNames =
    [
        "llama__lora_qv", "llama__lora_all", "llama__lora_pattern", "llama__prefix", "llama__prefix_proj",
        "llama__prompt", "llama__ptuning", "gpt2__lora_c_attn", "gpt2__prefix", "gpt2__prompt",
        "qwen2__lora_all", "qwen2__prefix", "llama3rope__lora_all", "llama3rope__prefix", "mistral__lora_all", "mistral__prefix",
    ];

    public static TheoryData<string> Cases => new(CaseNames);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Full_prompt_forward_matches_peft(string name)
    {
        var golden = HfFixtures.Case(name);
        var model = ModelCache.Family(golden.Family);
        using var runner = new CachedRunner(model, loraSlots: 2);
        using var adapter = AdapterUnderTest.Read(model, golden.AdapterDirectory!, runner, loraSlot: 1);
        using var scope = NewDisposeScope();
        foreach (var prompt in golden.Prompts)
        {
            var logits = adapter.DenseForward(prompt.InputIds);
            GoldenAssert.Close(golden.Logits($"{prompt.Name}.last_logits"), logits[^1], $"{name} {prompt.Name} last");
            if (golden.HasLogits($"{prompt.Name}.all_logits"))
                GoldenAssert.Close(golden.Logits($"{prompt.Name}.all_logits"), logits, $"{name} {prompt.Name} all positions");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Greedy_decoding_over_the_paged_cache_matches_peft_generate(string name)
    {
        var golden = HfFixtures.Case(name);
        var model = ModelCache.Family(golden.Family);
        using var runner = new CachedRunner(model, loraSlots: 2);
        using var adapter = AdapterUnderTest.Read(model, golden.AdapterDirectory!, runner, loraSlot: 1);
        foreach (var prompt in golden.Prompts)
        {
            using var scope = NewDisposeScope();
            var seq = adapter.NewSequence();
            var stepLogits = golden.Logits($"{prompt.Name}.gen_step_logits");
            var generated = new List<int>();
            int[] next = adapter.FirstChunk(prompt.InputIds);
            for (int step = 0; step < prompt.GreedyNewTokens.Length; step++)
            {
                var logits = runner.Step([new SequenceChunk(seq, next, adapter.Binding)])[0];
                GoldenAssert.Close(stepLogits[step], logits, $"{name} {prompt.Name} step {step}");
                generated.Add((int)logits.argmax().item<long>());
                next = [prompt.GreedyNewTokens[step]];
            }
            GoldenAssert.SameGreedy(prompt.GreedyNewTokens, prompt.StepMargins, generated, $"{name} {prompt.Name}");
            seq.Release(runner.Cache.Blocks);
        }
        Assert.Equal(0, runner.Cache.Blocks.UsedCount);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_adapter_reports_the_type_peft_saved(string name)
    {
        var golden = HfFixtures.Case(name);
        var model = ModelCache.Family(golden.Family);
        using var runner = new CachedRunner(model, loraSlots: 2);
        using var adapter = AdapterUnderTest.Read(model, golden.AdapterDirectory!, runner, loraSlot: 1);
        Assert.Equal(golden.Expected.GetProperty("peft_type").GetString(), adapter.Host.PeftType);
    }

    /// <summary>The cases whose expected.json lists the modules PEFT wrapped (every LoRA case).</summary>
    public static TheoryData<string> LoraCases => new(CaseNames.Where(c => HfFixtures.Case(c).Expected.TryGetProperty("lora_resolved_modules", out _)));

    [Theory]
    [MemberData(nameof(LoraCases))]
    public void A_lora_adapter_wraps_the_modules_peft_wrapped_with_their_rank_and_scaling(string name)
    {
        var golden = HfFixtures.Case(name);
        var model = ModelCache.Family(golden.Family);
        using var runner = new CachedRunner(model, loraSlots: 2);
        using var adapter = AdapterUnderTest.Read(model, golden.AdapterDirectory!, runner, loraSlot: 1);
        var resolved = golden.Expected.GetProperty("lora_resolved_modules");

        var modules = ((Runtime.Adapters.Lora.LoraAdapter)adapter.Host).Modules.Values.ToDictionary(m => m.Site.Path);
        Assert.Equal(resolved.EnumerateObject().Select(p => p.Name).Order(), modules.Keys.Order());
        foreach (var module in resolved.EnumerateObject())
        {
            Assert.Equal(module.Value.GetProperty("r").GetInt32(), modules[module.Name].Rank);
            Assert.Equal(module.Value.GetProperty("scaling").GetDouble(), modules[module.Name].Scaling, 12);
        }
    }
}
