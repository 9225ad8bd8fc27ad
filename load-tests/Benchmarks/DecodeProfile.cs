using System.Runtime.InteropServices;
using Peft.Runtime.Adapters.Lora;
using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Engine.Batching;
using Peft.Runtime.Engine.Sampling;
using Peft.Runtime.Models;
using Peft.Runtime.Models.Cache;
using static TorchSharp.torch;

namespace Peft.LoadTests.Benchmarks;

/// <summary>
/// Where the time of one decode step goes, at a given batch and context: batch assembly (StepBatch: index tensors),
/// the forward pass split into attention (timed around the backend), LoRA deltas (timed around the hooks), the
/// base matmuls (the bare matmuls of the same shapes, timed right after) and the rest (norms, RoPE, activations,
/// residual adds, embedding: the remainder), then reading logits and greedy sampling as the engine does.
/// Medians over the steps.
/// </summary>
internal sealed class DecodeProfile(CausalLM model, IReadOnlyList<LoraAdapter> adapters, int batch, int context, int steps, TextWriter log)
{
    private const int BlockSize = 16;

    public IReadOnlyList<DecodeProfileRow> Run()
    {
        using var pool = new LoraSlotPool(model.LinearSites, adapters.Count, adapters.Max(a => a.Rank), model.Dtype, model.Device);
        for (int slot = 0; slot < adapters.Count; slot++) pool.Load(slot, adapters[slot]);
        var bare = new BareMatmuls(model);
        return
        [
            Variant("base only", pool, bare, LoraKernel.Gather, _ => null),
            Variant("32 distinct, gather", pool, bare, LoraKernel.Gather, b => new LoraBinding(b % adapters.Count)),
            Variant("32 distinct, segment", pool, bare, LoraKernel.Segment, b => new LoraBinding(b % adapters.Count)),
            Variant("one adapter, gather", pool, bare, LoraKernel.Gather, _ => new LoraBinding(0)),
            Variant("one adapter, segment", pool, bare, LoraKernel.Segment, _ => new LoraBinding(0)),
        ];
    }

    private DecodeProfileRow Variant(string name, LoraSlotPool pool, BareMatmuls bare, LoraKernel kernel, Func<int, AdapterBinding?> binding)
    {
        using var cache = new KvCache(model.Config, batch * (SequenceKv.BlocksFor(context + steps + 2, BlockSize) + 1), BlockSize, model.Dtype, model.Device);
        var random = new Random(5);
        var sequences = Enumerable.Range(0, batch).Select(_ => cache.NewSequence()).ToArray();
        var bindings = Enumerable.Range(0, batch).Select(binding).ToArray();
        foreach (var s in sequences) s.TryReserve(context, cache.Blocks);
        using (var scope = NewDisposeScope())
        {
            var prefill = sequences.Select((s, b) => new SequenceChunk(s, Tokens(random, context), bindings[b])).ToArray();
            using var step = new StepBatch(prefill, cache, pool, kernel, model.Device);
            step.Run(model);
        }
        var samplers = Enumerable.Range(0, batch).Select(_ => new TokenSampler(SamplingParams.Greedy, [])).ToArray();
        var parts = new List<double[]>();
        for (int i = 0; i < steps + 1; i++)
        {
            foreach (var s in sequences) s.TryReserve(1, cache.Blocks);
            var chunks = sequences.Select((s, b) => new SequenceChunk(s, Tokens(random, 1), bindings[b])).ToArray();
            using var scope = NewDisposeScope();
            StepBatch? batchInputs = null;
            double assembly = Timing.Seconds(() => batchInputs = new StepBatch(chunks, cache, pool, kernel, model.Device));
            using var step = batchInputs!;
            var attention = new TimedAttention(step.Attention);
            var hooks = new TimedHooks(step.Hooks);
            Tensor? logits = null;
            double forward = Timing.Seconds(() => logits = model.Forward(step.Forward, attention, hooks));
            foreach (var c in chunks) c.Kv.Commit(1);
            double sampling = Timing.Seconds(() => Sample(logits!, samplers));
            double matmuls = bare.Run(batch, batch);
            if (i == 0) continue;   // warm-up
            parts.Add([assembly, forward, attention.Seconds, hooks.LoraSeconds, matmuls, sampling]);
        }
        double M(int k) => Timing.Median(parts.Select(p => p[k])) * 1e3;
        var row = new DecodeProfileRow(name, batch, context, parts.Count,
            M(0) + M(1) + M(5), M(0), M(1), M(4), M(2), M(3), M(1) - M(2) - M(3) - M(4), M(5));
        log.WriteLine($"  {name,-22} step {row.TotalMs:0.0} ms: assembly {row.AssemblyMs:0.0}, matmuls {row.MatmulMs:0.0}, " +
            $"attention {row.AttentionMs:0.0}, lora {row.LoraMs:0.0}, other {row.OtherMs:0.0}, sampling {row.SamplingMs:0.0}");
        return row;
    }

    /// <summary>What the engine does with a step's logits: copy to host rows and pick each row's token.</summary>
    private static void Sample(Tensor logits, TokenSampler[] samplers)
    {
        using var cpu = logits.cpu().contiguous();
        int vocab = (int)cpu.shape[1];
        var all = MemoryMarshal.Cast<byte, float>(cpu.bytes);
        for (int r = 0; r < samplers.Length; r++)
        {
            var row = all.Slice(r * vocab, vocab).ToArray();
            samplers[r].Sample(row);
        }
    }

    private int[] Tokens(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => random.Next(3, model.Config.VocabSize)).ToArray();
}

/// <summary>One decode step's time by part, milliseconds (medians). <see cref="OtherMs"/> is the forward pass less
/// attention, LoRA and the bare matmul time of its shapes.</summary>
internal sealed record DecodeProfileRow(string Variant, int Batch, int Context, int Steps, double TotalMs, double AssemblyMs, double ForwardMs,
    double MatmulMs, double AttentionMs, double LoraMs, double OtherMs, double SamplingMs);
