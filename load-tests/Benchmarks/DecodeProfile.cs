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
/// The variants take turns step by step, so a change in what else runs on the machine hits them alike; medians.
/// </summary>
/// <param name="plain">Also each LoRA variant on the slot lane's plain path (<see cref="LoraFastPaths.None"/>), taking turns with the rest.</param>
/// <param name="poolRank">The slot pool's maximum rank when above the adapters' (a server sized for larger ranks).</param>
internal sealed class DecodeProfile(CausalLM model, IReadOnlyList<LoraAdapter> adapters, int batch, int context, int steps, TextWriter log,
    IReadOnlyList<LoraKernel>? kernels = null, bool plain = false, int poolRank = 0)
{
    private const int BlockSize = 16;
    private readonly Random _random = new(5);

    public IReadOnlyList<DecodeProfileRow> Run()
    {
        using var pool = new LoraSlotPool(model.LinearSites, adapters.Count, Math.Max(poolRank, adapters.Max(a => a.Rank)), model.Dtype, model.Device);
        for (int slot = 0; slot < adapters.Count; slot++) pool.Load(slot, adapters[slot]);
        var bare = new BareMatmuls(model);
        var variants = new Variant[]
        {
            new("base only", LoraKernel.Gather, _ => null),
            new("32 distinct, gather", LoraKernel.Gather, b => new SlotBinding(b % adapters.Count)),
            new("32 distinct, segment", LoraKernel.Segment, b => new SlotBinding(b % adapters.Count)),
            new("one adapter, gather", LoraKernel.Gather, _ => new SlotBinding(0)),
            new("one adapter, segment", LoraKernel.Segment, _ => new SlotBinding(0)),
        }.Where(v => v.Name == "base only" || (kernels ?? [LoraKernel.Gather, LoraKernel.Segment]).Contains(v.Kernel))
         .Where(v => batch > 1 || !v.Name.StartsWith("32 distinct", StringComparison.Ordinal))
         .SelectMany(v => plain && v.Name != "base only" ? [v, v with { Name = $"{v.Name}, plain", Paths = LoraFastPaths.None }] : new[] { v }).ToArray();
        var states = new List<State>();
        try
        {
            foreach (var v in variants) states.Add(Prefill(v, pool));
            for (int i = 0; i < steps + 1; i++)
                foreach (var state in states) Step(state, pool, bare, warmUp: i == 0);
            return [.. states.Select(Row)];
        }
        finally
        {
            foreach (var state in states) state.Cache.Dispose();
        }
    }

    private State Prefill(Variant variant, LoraSlotPool pool)
    {
        var cache = new KvCache(model.Config, batch * (SequenceKv.BlocksFor(context + steps + 2, BlockSize) + 1), BlockSize, model.Dtype, model.Device);
        var sequences = Enumerable.Range(0, batch).Select(_ => cache.NewSequence()).ToArray();
        var bindings = Enumerable.Range(0, batch).Select(variant.Binding).ToArray();
        foreach (var s in sequences) s.TryReserve(context, cache.Blocks);
        using var scope = NewDisposeScope();
        var prefill = sequences.Select((s, b) => new SequenceChunk(s, Tokens(context), bindings[b])).ToArray();
        using var step = new StepBatch(prefill, cache, pool, variant.Kernel, model.Device, variant.Paths);
        step.Run(model);
        return new State(variant, cache, sequences, bindings, [.. Enumerable.Range(0, batch).Select(_ => new TokenSampler(SamplingParams.Greedy, []))]);
    }

    private void Step(State state, LoraSlotPool pool, BareMatmuls bare, bool warmUp)
    {
        foreach (var s in state.Sequences) s.TryReserve(1, state.Cache.Blocks);
        var chunks = state.Sequences.Select((s, b) => new SequenceChunk(s, Tokens(1), state.Bindings[b])).ToArray();
        using var scope = NewDisposeScope();
        StepBatch? built = null;
        double assembly = Timing.Seconds(() => built = new StepBatch(chunks, state.Cache, pool, state.Variant.Kernel, model.Device, state.Variant.Paths));
        using var step = built!;
        var attention = new TimedAttention(step.Attention);
        var hooks = new TimedHooks(step.Hooks);
        Tensor? logits = null;
        double cpu = Timing.ProcessCpuSeconds();
        double forward = Timing.Seconds(() => logits = model.Forward(step.Forward, attention, hooks));
        cpu = Timing.ProcessCpuSeconds() - cpu;
        foreach (var c in chunks) c.Kv.Commit(1);
        double sampling = Timing.Seconds(() => Sample(logits!, state.Samplers));
        double matmuls = bare.Run(batch, batch);
        if (!warmUp) state.Parts.Add([assembly, forward, attention.Seconds, hooks.LoraSeconds, matmuls, sampling, cpu / forward]);
    }

    private DecodeProfileRow Row(State state)
    {
        double M(int k) => Timing.Median(state.Parts.Select(p => p[k])) * 1e3;
        var row = new DecodeProfileRow(state.Variant.Name, batch, context, state.Parts.Count,
            M(0) + M(1) + M(5), M(0), M(1), M(4), M(2), M(3), M(1) - M(2) - M(3) - M(4), M(5), M(6) / 1e3);
        log.WriteLine($"  {row.Variant,-22} step {row.TotalMs:0.0} ms: assembly {row.AssemblyMs:0.0}, matmuls {row.MatmulMs:0.0}, " +
            $"attention {row.AttentionMs:0.0}, lora {row.LoraMs:0.0}, other {row.OtherMs:0.0}, sampling {row.SamplingMs:0.0}; {row.ForwardCores:0.00} cores in the forward");
        return row;
    }

    /// <summary>What the engine does with a step's logits: copy them to the host once and pick each row's token from
    /// its slice of that copy (a fresh array per row would put a vocabulary's worth on the large-object heap per row
    /// and time the collector, not the engine).</summary>
    private static void Sample(Tensor logits, TokenSampler[] samplers)
    {
        using var cpu = logits.cpu().contiguous();
        int vocab = (int)cpu.size(1);
        ReadOnlySpan<float> all = MemoryMarshal.Cast<byte, float>(cpu.bytes);
        for (int r = 0; r < samplers.Length; r++) samplers[r].Sample(all.Slice(r * vocab, vocab));
    }

    private int[] Tokens(int count) =>
        Enumerable.Range(0, count).Select(_ => _random.Next(3, model.Config.VocabSize)).ToArray();

    private sealed record Variant(string Name, LoraKernel Kernel, Func<int, AdapterBinding?> Binding)
    {
        public LoraFastPaths Paths { get; init; } = LoraFastPaths.All;
    }

    private sealed record State(Variant Variant, KvCache Cache, SequenceKv[] Sequences, AdapterBinding?[] Bindings, TokenSampler[] Samplers)
    {
        public List<double[]> Parts { get; } = [];
    }
}

/// <summary>One decode step's time by part, milliseconds (medians). <see cref="OtherMs"/> is the forward pass less
/// attention, LoRA and the bare matmul time of its shapes. <see cref="ForwardCores"/>: the process's CPU time during
/// the forward over its wall time (how many cores it kept busy).</summary>
internal sealed record DecodeProfileRow(string Variant, int Batch, int Context, int Steps, double TotalMs, double AssemblyMs, double ForwardMs,
    double MatmulMs, double AttentionMs, double LoraMs, double OtherMs, double SamplingMs, double ForwardCores = double.NaN);
