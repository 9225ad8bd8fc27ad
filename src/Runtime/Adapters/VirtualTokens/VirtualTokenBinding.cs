using Peft.Runtime.Adapters.Serving;
using TorchSharp;

namespace Peft.Runtime.Adapters.VirtualTokens;

/// <summary>
/// Virtual tokens as a sequence's first stream entries: a chunk covering stream positions below their count takes
/// their vectors instead of its token embeddings (the token ids of those rows are placeholders).
/// </summary>
public sealed class VirtualTokenBinding(torch.Tensor embeddings) : AdapterBinding
{
    private readonly Hooks _hooks = new(embeddings);

    /// <summary>[virtual tokens, hidden] on the device.</summary>
    public torch.Tensor Embeddings { get; } = embeddings;

    public override int VirtualTokenCount => (int)Embeddings.size(0);

    public override void AddRows(AdapterBatchBuilder batch, int row, int length, int streamStart)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (streamStart < VirtualTokenCount) batch.AddHooks(row, Math.Min(VirtualTokenCount - streamStart, length), streamStart, _hooks);
    }

    /// <summary>Rows at stream positions p (all below the count) become values[p].</summary>
    private sealed class Hooks(torch.Tensor values) : RowHooks
    {
        public override bool ActsOnEmbeddings => true;

        public override torch.Tensor Embeddings(torch.Tensor tokenIds, torch.Tensor embeddings, int streamStart) =>
            values.narrow(0, streamStart, embeddings.size(0));
    }
}
