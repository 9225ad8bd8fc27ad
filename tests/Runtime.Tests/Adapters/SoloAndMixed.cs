using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Engine.Batching;
using Peft.Runtime.Models;
using Peft.Runtime.Models.Cache;
using Peft.Runtime.Tests.Fixtures;
using Peft.Runtime.Tests.Models;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Adapters;

/// <summary>
/// Each case's adapter (or the base) run alone over the paged cache, then all of them as rows of one batch fed the
/// same tokens: every row must give what it gave alone. Needs no golden logits, so it holds on any base (the INT8 one,
/// whose outputs PEFT never produced).
/// </summary>
internal static class SoloAndMixed
{
    /// <returns>The largest |logit difference| between a row in the batch and the same row alone.</returns>
    public static double Run(CausalLM model, IReadOnlyList<GoldenCase> cases, LoraKernel kernel, int steps, string what)
    {
        using var runner = new CachedRunner(model, blocks: 1024, loraSlots: cases.Count, kernel: kernel);
        var adapters = new List<AdapterUnderTest?>();
        try
        {
            for (int i = 0; i < cases.Count; i++)
                adapters.Add(cases[i].AdapterDirectory is { } dir ? AdapterUnderTest.Read(model, dir, runner, loraSlot: i, task: cases[i].TaskId) : null);
            // Different prompts, so rows sit at different lengths and positions.
            var prompts = cases.Select((c, i) => c.Prompts[i % c.Prompts.Count].InputIds).ToArray();

            using var scope = NewDisposeScope();
            var solo = new List<Tensor>[cases.Count];
            var tokens = new List<int>[cases.Count];
            for (int i = 0; i < cases.Count; i++)
            {
                var sequence = adapters[i]?.NewSequence() ?? runner.NewSequence();
                (solo[i], tokens[i]) = ([], []);
                for (int step = 0; step < steps; step++)
                {
                    int[] chunk = step == 0 ? adapters[i]?.FirstChunk(prompts[i]) ?? prompts[i] : [tokens[i][^1]];
                    var logits = runner.Step([new SequenceChunk(sequence, chunk, adapters[i]?.Binding)])[0];
                    solo[i].Add(logits);
                    tokens[i].Add((int)logits.argmax().item<long>());
                }
                sequence.Release(runner.Cache.Blocks);
            }

            var sequences = adapters.Select(a => a?.NewSequence() ?? runner.NewSequence()).ToArray();
            double worst = 0;
            for (int step = 0; step < steps; step++)
            {
                var chunks = cases.Select((_, i) => new SequenceChunk(sequences[i],
                    step == 0 ? adapters[i]?.FirstChunk(prompts[i]) ?? prompts[i] : [tokens[i][step - 1]], adapters[i]?.Binding)).ToArray();
                var logits = runner.Step(chunks);
                for (int i = 0; i < cases.Count; i++)
                    worst = Math.Max(worst, GoldenAssert.Close(solo[i][step], logits[i], $"{cases[i].Name} step {step} in a mixed batch {what} ({kernel})"));
            }
            return worst;
        }
        finally
        {
            foreach (var a in adapters) a?.Dispose();
        }
    }
}
