using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Engine.Batching;
using Peft.Runtime.Models;
using Peft.Runtime.Tests.Fixtures;
using Peft.Runtime.Tests.Models;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Adapters;

/// <summary>
/// The slot lane's shortcuts (<see cref="LoraFastPaths"/>) against the plain path on a real model and PEFT's own
/// adapter files: the same tokens fed to both, every step's logits within the golden tolerance and the same greedy
/// token wherever the plain path's top two are not a near-tie. Rows of one adapter (adjacent, and apart with base
/// rows between) and batches mixing LoRA of two ranks, DoRA with a rank pattern, AdaLoRA, IA³ (which rescales
/// up_proj's input, so gate and up read different tensors), prefix tuning and base rows; prefill and decode in one step.
/// </summary>
public sealed class FastPathEquivalenceTests(ITestOutputHelper output)
{
    private const int Steps = 10;

    /// <summary>Rows as fixture adapters ("hf:" from tests/fixtures/hf, else tests/fixtures/methods; null: base).</summary>
    public static TheoryData<string, string?[]> Batches => new()
    {
        { "one LoRA on every row", ["hf:lora_all", "hf:lora_all", "hf:lora_all", "hf:lora_all"] },
        { "one DoRA with a rank pattern, base rows between", ["dora_rslora_pattern", null, "dora_rslora_pattern", "dora_rslora_pattern", null] },
        { "every kind mixed", [null, "hf:lora_all", "hf:lora_all", "dora_rslora_pattern", "ia3", "prefix", "hf:lora_all", "lora_qv", "adalora", null] },
        { "two LoRAs on every site and IA³", ["hf:lora_all", "dora_rslora_pattern", "hf:lora_all", "ia3", "dora_rslora_pattern"] },
    };

    [Theory]
    [MemberData(nameof(Batches))]
    public void Shortcuts_give_the_plain_paths_logits_and_greedy_tokens(string batch, string?[] rows)
    {
        var model = ModelCache.For(MethodFixtures.Case("llama__base"));
        var basePrompts = MethodFixtures.Case("llama__base").Prompts;
        var prompts = rows.Select((_, i) => basePrompts[i % basePrompts.Count].InputIds).ToArray();
        foreach (var kernel in new[] { LoraKernel.Segment, LoraKernel.Gather })
        {
            using var scope = NewDisposeScope();
            var plain = Run(model, rows, prompts, kernel, LoraFastPaths.None, feed: null);
            var fast = Run(model, rows, prompts, kernel, LoraFastPaths.All, feed: plain.Tokens);
            double worst = 0;
            for (int step = 1; step <= Steps; step++)
                for (int r = 0; r < rows.Length; r++)
                {
                    string what = $"{batch}, {kernel}: row {r} ({rows[r] ?? "base"}) step {step}";
                    var expected = plain.Logits[step - 1][r];
                    worst = Math.Max(worst, GoldenAssert.Close(expected, fast.Logits[step - 1][r], what));
                    var top = expected.topk(2).values;
                    if ((top[0] - top[1]).item<float>() > GoldenAssert.MarginForTokens)
                        Assert.True(plain.Tokens[step][r] == fast.Tokens[step][r], $"{what}: token {fast.Tokens[step][r]}, plain path {plain.Tokens[step][r]}");
                }
            output.WriteLine($"{batch}, {kernel}: max |logit diff| {worst:E2} over {Steps} steps");
        }
    }

    /// <summary>
    /// Even rows prefill at step 0 and odd rows at step 1 (so step 1 mixes prefill and decode), then all decode.
    /// Tokens after the prompt are <paramref name="feed"/>'s when given, else this run's own greedy choice.
    /// Logits[s - 1] are step s's, by row; Tokens[s] the token each row chose at step s (-1: none yet).
    /// </summary>
    private static (List<Tensor> Logits, List<int[]> Tokens) Run(CausalLM model, string?[] rows, int[][] prompts, LoraKernel kernel,
        LoraFastPaths paths, List<int[]>? feed)
    {
        using var runner = new CachedRunner(model, blocks: 1024, loraSlots: 8, kernel: kernel, paths: paths);
        var names = rows.OfType<string>().Distinct().ToList();
        var adapters = names.Select((n, slot) => AdapterUnderTest.Read(model, AdapterDirectory(n), runner, loraSlot: slot)).ToList();
        try
        {
            var bound = rows.Select(n => n is null ? null : adapters[names.IndexOf(n)]).ToArray();
            var sequences = bound.Select(a => a?.NewSequence() ?? runner.NewSequence()).ToArray();
            var (logits, tokens) = (new List<Tensor>(), new List<int[]>());
            var last = new int[rows.Length];
            for (int step = 0; step <= Steps; step++)
            {
                var chunks = new List<SequenceChunk>();
                var order = new List<int>();
                for (int r = 0; r < rows.Length; r++)
                {
                    int start = r % 2;
                    if (step < start) continue;
                    int[] tokensIn = step == start ? bound[r]?.FirstChunk(prompts[r]) ?? prompts[r] : [last[r]];
                    chunks.Add(new SequenceChunk(sequences[r], tokensIn, bound[r]?.Binding));
                    order.Add(r);
                }
                var stepLogits = runner.Step(chunks);
                var chosen = new int[rows.Length];
                Array.Fill(chosen, -1);
                var byRow = new Tensor[rows.Length];
                for (int i = 0; i < order.Count; i++)
                {
                    byRow[order[i]] = stepLogits[i];
                    chosen[order[i]] = last[order[i]] = feed is null ? (int)stepLogits[i].argmax().item<long>() : feed[step][order[i]];
                }
                tokens.Add(chosen);
                // From step 1 on every row has logits.
                if (step > 0) logits.Add(stack(byRow));
            }
            return (logits, tokens);
        }
        finally
        {
            foreach (var a in adapters) a.Dispose();
        }
    }

    private static string AdapterDirectory(string name) => name.StartsWith("hf:", StringComparison.Ordinal)
        ? HfFixtures.AdapterDirectory("llama", name[3..])
        : Path.Combine(MethodFixtures.Root, "llama", "adapters", name);
}
