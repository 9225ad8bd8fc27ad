using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Engine.Batching;
using Peft.Runtime.Models;
using Peft.Runtime.Models.Cache;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Models;

/// <summary>
/// Drives a model over the paged cache with the engine's own step assembly (<see cref="StepBatch"/>): prefill
/// chunks and decode rows of different adapters in one pass. For tests that compare against reference outputs.
/// </summary>
internal sealed class CachedRunner : IDisposable
{
    private readonly CausalLM _model;
    private readonly LoraKernel _kernel;
    private readonly LoraFastPaths _paths;

    public CachedRunner(CausalLM model, int blocks = 64, int blockSize = 4, int loraSlots = 0, int maxRank = 16, LoraKernel kernel = LoraKernel.Gather,
        ScalarType? kvDtype = null, LoraFastPaths paths = LoraFastPaths.All)
    {
        _model = model;
        _kernel = kernel;
        _paths = paths;
        Cache = new KvCache(model.Config, blocks, blockSize, kvDtype ?? model.Dtype, model.Device);
        if (loraSlots > 0) Pool = new LoraSlotPool(model.LinearSites, loraSlots, maxRank, model.Dtype, model.Device);
    }

    public KvCache Cache { get; }

    public LoraSlotPool? Pool { get; }

    public SequenceKv NewSequence() => Cache.NewSequence();

    /// <summary>One pass; returns each chunk's last-token logits [chunks, vocab] (float32, CPU, caller's scope).</summary>
    public Tensor Step(IReadOnlyList<SequenceChunk> chunks)
    {
        foreach (var chunk in chunks)
            if (!chunk.Kv.TryReserve(chunk.Tokens.Count, Cache.Blocks)) throw new InvalidOperationException("test cache too small");
        using var step = new StepBatch(chunks, Cache, Pool, _kernel, _model.Device, _paths);
        return step.Run(_model).cpu();
    }

    public Tensor Step(IReadOnlyList<(SequenceKv Sequence, int[] Tokens)> items) =>
        Step(items.Select(i => new SequenceChunk(i.Sequence, i.Tokens, null)).ToArray());

    public void Dispose()
    {
        Cache.Dispose();
        Pool?.Dispose();
    }
}
