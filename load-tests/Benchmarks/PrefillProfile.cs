using Peft.Runtime.Adapters.Lora;
using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Engine.Batching;
using Peft.Runtime.Models;
using Peft.Runtime.Models.Cache;
using static TorchSharp.torch;

namespace Peft.LoadTests.Benchmarks;

/// <summary>
/// Where the time of one prompt's prefill goes (batch 1, <paramref name="length"/> tokens), parts as in
/// <see cref="DecodeProfile"/>: attention, LoRA, the bare matmuls of the same shapes, the rest. Base and one
/// adapter take turns pass by pass; medians.
/// </summary>
internal sealed class PrefillProfile(CausalLM model, LoraAdapter adapter, int length, int passes, TextWriter log)
{
    private const int BlockSize = 16;

    public IReadOnlyList<DecodeProfileRow> Run()
    {
        using var pool = new LoraSlotPool(model.LinearSites, 1, adapter.Rank, model.Dtype, model.Device);
        pool.Load(0, adapter);
        using var cache = new KvCache(model.Config, SequenceKv.BlocksFor(length, BlockSize) + 1, BlockSize, model.Dtype, model.Device);
        var bare = new BareMatmuls(model);
        var random = new Random(9);
        var tokens = Enumerable.Range(0, length).Select(_ => random.Next(3, model.Config.VocabSize)).ToArray();
        (string Name, AdapterBinding? Binding)[] variants = [("prefill, base", null), ("prefill, one adapter", new SlotBinding(0))];
        var parts = variants.Select(_ => new List<double[]>()).ToArray();
        for (int pass = 0; pass < passes + 1; pass++)
        {
            for (int v = 0; v < variants.Length; v++)
            {
                var seq = cache.NewSequence();
                seq.TryReserve(length, cache.Blocks);
                using var scope = NewDisposeScope();
                StepBatch? built = null;
                double assembly = Timing.Seconds(() => built = new StepBatch([new SequenceChunk(seq, tokens, variants[v].Binding)], cache, pool, LoraKernel.Segment, model.Device));
                using var step = built!;
                var attention = new TimedAttention(step.Attention);
                var hooks = new TimedHooks(step.Hooks);
                double cpu = Timing.ProcessCpuSeconds();
                double forward = Timing.Seconds(() => model.Forward(step.Forward, attention, hooks).Dispose());
                cpu = Timing.ProcessCpuSeconds() - cpu;
                seq.Release(cache.Blocks);
                double matmuls = bare.Run(length, 1);
                if (pass > 0) parts[v].Add([assembly, forward, attention.Seconds, hooks.LoraSeconds, matmuls, cpu / forward]);
            }
        }
        return [.. variants.Select((v, i) => Row(v.Name, parts[i]))];
    }

    private DecodeProfileRow Row(string name, List<double[]> parts)
    {
        double M(int k) => Timing.Median(parts.Select(p => p[k])) * 1e3;
        var row = new DecodeProfileRow(name, 1, length, parts.Count, M(0) + M(1), M(0), M(1), M(4), M(2), M(3), M(1) - M(2) - M(3) - M(4), 0, M(5) / 1e3);
        log.WriteLine($"  {row.Variant,-22} step {row.TotalMs:0.0} ms: matmuls {row.MatmulMs:0.0}, attention {row.AttentionMs:0.0}, lora {row.LoraMs:0.0}, other {row.OtherMs:0.0}; {row.ForwardCores:0.00} cores in the forward");
        return row;
    }
}
