using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Engine.Batching;
using Peft.Runtime.Models;
using Peft.Runtime.Models.Cache;
using static TorchSharp.torch;

namespace Peft.LoadTests.Benchmarks;

/// <summary>
/// Prefill and decode tokens/s of the base model through the engine's own path (StepBatch over the paged cache,
/// PagedAttention, logits of each sequence's last token only), with the bare matmuls of the same shapes timed
/// right after each step so both see the same machine state.
/// </summary>
internal sealed class ForwardBenchmark(CausalLM model, string label, ForwardSettings settings, TextWriter log)
{
    private const int BlockSize = 16;
    private readonly BareMatmuls _bare = new(model);
    private readonly Random _random = new(settings.Seed);

    public IEnumerable<ForwardRow> Run()
    {
        foreach (int batch in settings.Batches)
            foreach (var row in Run(batch))
                yield return row;
    }

    /// <summary>Prefill then decode at one batch size.</summary>
    public IEnumerable<ForwardRow> Run(int batch)
    {
        yield return Prefill(batch);
        yield return Decode(batch);
    }

    private ForwardRow Prefill(int batch)
    {
        int p = settings.PromptLength;
        using var cache = new KvCache(model.Config, Blocks(batch, p), BlockSize, model.Dtype, model.Device);
        var steps = new List<double>();
        var bare = new List<double>();
        for (int rep = 0; rep < settings.Warmup + settings.Repetitions; rep++)
        {
            var sequences = NewSequences(cache, batch, p);
            double step = Step(cache, sequences, p);
            foreach (var s in sequences) s.Release(cache.Blocks);
            double matmuls = _bare.Run((long)batch * p, batch);
            if (rep < settings.Warmup) continue;
            steps.Add(step);
            bare.Add(matmuls);
        }
        return Row("prefill", batch, p, p, steps, bare, (long)batch * p, batch);
    }

    private ForwardRow Decode(int batch)
    {
        int p = settings.PromptLength;
        int stepsToRun = settings.Warmup + settings.DecodeSteps;
        using var cache = new KvCache(model.Config, Blocks(batch, p + stepsToRun), BlockSize, model.Dtype, model.Device);
        var sequences = NewSequences(cache, batch, p);
        Step(cache, sequences, p);   // the context the decode steps attend to
        var steps = new List<double>();
        var bare = new List<double>();
        for (int i = 0; i < stepsToRun; i++)
        {
            foreach (var s in sequences)
                if (!s.TryReserve(1, cache.Blocks)) throw new InvalidOperationException("the benchmark's KV cache is too small");
            double step = Step(cache, sequences, 1);
            double matmuls = _bare.Run(batch, batch);
            if (i < settings.Warmup) continue;
            steps.Add(step);
            bare.Add(matmuls);
        }
        int context = p + settings.Warmup + settings.DecodeSteps / 2;
        return Row("decode", batch, 1, context, steps, bare, batch, batch);
    }

    /// <summary>One forward pass of <paramref name="tokens"/> new tokens per sequence, timed from batch assembly
    /// to logits.</summary>
    private double Step(KvCache cache, IReadOnlyList<SequenceKv> sequences, int tokens)
    {
        var chunks = sequences.Select(kv => new SequenceChunk(kv, RandomTokens(tokens), null)).ToArray();
        using var scope = NewDisposeScope();
        return Timing.Seconds(() =>
        {
            using var step = new StepBatch(chunks, cache, null, LoraKernel.Gather, model.Device);
            using var logits = step.Run(model);
        });
    }

    private ForwardRow Row(string phase, int batch, int tokensPerSequence, int context, List<double> steps, List<double> bare, long tokens, long logitRows)
    {
        double step = Timing.Median(steps), matmuls = Timing.Median(bare);
        double flops = _bare.Flops(tokens, logitRows);
        var row = new ForwardRow(label, phase, batch, tokensPerSequence, context, steps.Count,
            step * 1e3, batch * tokensPerSequence / step, flops / 1e9, flops / step / 1e9, matmuls * 1e3, flops / matmuls / 1e9);
        log.WriteLine($"  {label} {phase} batch {batch}: {row.TokensPerSecond:0.0} tokens/s, step {row.StepMs:0.0} ms, " +
            $"{row.ModelGflops:0.0} GFLOP/s vs bare {row.BareGflops:0.0} GFLOP/s (ratio {row.Ratio:0.00})");
        return row;
    }

    private static List<SequenceKv> NewSequences(KvCache cache, int batch, int entries)
    {
        var sequences = new List<SequenceKv>(batch);
        for (int b = 0; b < batch; b++)
        {
            var kv = cache.NewSequence();
            if (!kv.TryReserve(entries, cache.Blocks)) throw new InvalidOperationException("the benchmark's KV cache is too small");
            sequences.Add(kv);
        }
        return sequences;
    }

    private int[] RandomTokens(int count)
    {
        var tokens = new int[count];
        for (int i = 0; i < count; i++) tokens[i] = _random.Next(3, model.Config.VocabSize);
        return tokens;
    }

    private static int Blocks(int batch, int entries) => batch * (SequenceKv.BlocksFor(entries, BlockSize) + 1);
}

/// <summary>How much the forward benchmark runs.</summary>
internal sealed record ForwardSettings
{
    public IReadOnlyList<int> Batches { get; init; } = [1, 8, 32];
    public int PromptLength { get; init; } = 128;
    public int DecodeSteps { get; init; } = 8;
    public int Repetitions { get; init; } = 3;
    public int Warmup { get; init; } = 1;
    public int Seed { get; init; } = 1;
}
