using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Models;
using Peft.Runtime.Models.Attention;
using Peft.Runtime.Models.Cache;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Engine.Batching;

/// <summary>
/// The inputs of one forward pass over the paged cache, assembled from the sequences scheduled this step:
/// flattened tokens and positions, the attention backend, and the adapter hooks. Logits come back for each
/// chunk's last token. Create inside the step's dispose scope; dispose after the pass.
/// </summary>
public sealed class StepBatch : IDisposable
{
    private readonly IReadOnlyList<SequenceChunk> _chunks;

    public StepBatch(IReadOnlyList<SequenceChunk> chunks, KvCache cache, LoraSlotPool? pool, LoraKernel kernel, Device device,
        LoraFastPaths paths = LoraFastPaths.All)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        ArgumentNullException.ThrowIfNull(cache);
        _chunks = chunks;
        var ids = new List<long>();
        var positions = new List<long>();
        var lastRows = new long[chunks.Count];
        var adapters = new AdapterBatchBuilder();
        for (int c = 0; c < chunks.Count; c++)
        {
            var (kv, tokens, adapter) = chunks[c];
            int row = ids.Count;
            for (int i = 0; i < tokens.Count; i++)
            {
                ids.Add(tokens[i]);
                positions.Add(kv.Length + i);
            }
            lastRows[c] = ids.Count - 1;
            adapter?.AddRows(adapters, row, tokens.Count, kv.Length);
        }
        Forward = new ForwardBatch
        {
            TokenIds = tensor(ids.ToArray(), device: device),
            Positions = tensor(positions.ToArray(), device: device),
            QueryLengths = chunks.Select(c => c.Tokens.Count).ToArray(),
            LogitRows = tensor(lastRows, device: device),
        };
        Attention = new PagedAttention(cache, chunks.Select(c => c.Kv).ToArray(), Forward.QueryLengths, device);
        Hooks = adapters.Build(pool, kernel, device, lastRows, paths);
    }

    public ForwardBatch Forward { get; }

    public PagedAttention Attention { get; }

    public AdapterBatch Hooks { get; }

    /// <summary>Runs the pass and commits the new entries to every sequence.</summary>
    /// <returns>[chunks, vocab] float32 logits of each chunk's last token.</returns>
    public Tensor Run(CausalLM model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var logits = model.Forward(Forward, Attention, Hooks);
        foreach (var chunk in _chunks) chunk.Kv.Commit(chunk.Tokens.Count);
        return logits;
    }

    public void Dispose() => Hooks.Dispose();
}
