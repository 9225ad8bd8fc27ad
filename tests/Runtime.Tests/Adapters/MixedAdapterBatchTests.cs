using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Engine.Batching;
using Peft.Runtime.Models.Cache;
using Peft.Runtime.Tests.Fixtures;
using Peft.Runtime.Tests.Models;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Adapters;

/// <summary>
/// PEFT's most important test, for a server: rows of every adapter type and base-only rows in one forward pass,
/// each giving exactly what it gives alone (here: what PEFT gives alone).
/// </summary>
public sealed class MixedAdapterBatchTests
{
    public static TheoryData<LoraKernel> Kernels => new() { LoraKernel.Gather, LoraKernel.Segment };

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Every_row_of_a_batch_mixing_all_adapter_types_and_base_matches_its_solo_reference(LoraKernel kernel)
    {
        string[] cases = ["llama__base", "llama__lora_qv", "llama__prompt", "llama__lora_all", "llama__prefix", "llama__ptuning",
            "llama__lora_pattern", "llama__prefix_proj", "llama__base"];
        var model = ModelCache.Family("llama");
        using var runner = new CachedRunner(model, blocks: 512, loraSlots: 4, kernel: kernel);
        var adapters = new List<AdapterUnderTest>();
        try
        {
            var rows = new List<Row>();
            int slot = 1;
            for (int i = 0; i < cases.Length; i++)
            {
                var golden = HfFixtures.Case(cases[i]);
                AdapterUnderTest? adapter = null;
                if (golden.AdapterDirectory is { } dir)
                {
                    adapter = AdapterUnderTest.Read(model, dir, runner, loraSlot: slot);
                    if (adapter.UsesSlot) slot++;
                    adapters.Add(adapter);
                }
                // Different prompts, so rows sit at different lengths and positions.
                var prompt = golden.Prompts[i % golden.Prompts.Count];
                rows.Add(new Row(golden, prompt, adapter, adapter?.NewSequence() ?? runner.NewSequence()));
            }

            using var scope = NewDisposeScope();
            for (int step = 0; step < 16; step++)
            {
                var chunks = rows.Select(r => new SequenceChunk(r.Sequence,
                    step == 0 ? r.Adapter?.FirstChunk(r.Prompt.InputIds) ?? r.Prompt.InputIds : [r.Prompt.GreedyNewTokens[step - 1]],
                    r.Adapter?.Binding)).ToArray();
                var logits = runner.Step(chunks);
                for (int i = 0; i < rows.Count; i++)
                {
                    var expected = rows[i].Golden.Logits($"{rows[i].Prompt.Name}.gen_step_logits")[step];
                    GoldenAssert.Close(expected, logits[i], $"{cases[i]} {rows[i].Prompt.Name} step {step} in a mixed batch ({kernel})");
                    rows[i].Generated.Add((int)logits[i].argmax().item<long>());
                }
            }
            foreach (var r in rows)
                GoldenAssert.SameGreedy(r.Prompt.GreedyNewTokens, r.Prompt.StepMargins, r.Generated, $"{r.Golden.Name} mixed");
        }
        finally
        {
            foreach (var a in adapters) a.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void On_an_int8_base_every_row_of_a_mixed_batch_matches_its_solo_run(LoraKernel kernel)
    {
        string[] cases = ["llama__base", "llama__lora_qv", "llama__prompt", "llama__lora_all", "llama__prefix", "llama__ptuning",
            "llama__lora_pattern", "llama__prefix_proj"];
        SoloAndMixed.Run(ModelCache.Int8("llama"), [.. cases.Select(HfFixtures.Case)], kernel, steps: 12, "on the int8 base");
    }

    private sealed record Row(GoldenCase Golden, GoldenPrompt Prompt, AdapterUnderTest? Adapter, SequenceKv Sequence)
    {
        public List<int> Generated { get; } = [];
    }
}
