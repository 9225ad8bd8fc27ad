using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Models.Cache;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.PrefixTuning;

/// <summary>Prefix tuning: per layer keys and values [n, kv_heads, head_dim], written as the sequence's first cache
/// entries at admission; nothing to do in a step.</summary>
public sealed class PrefixBinding(IReadOnlyList<Tensor> keys, IReadOnlyList<Tensor> values) : AdapterBinding
{
    public IReadOnlyList<Tensor> Keys { get; } = keys;

    public IReadOnlyList<Tensor> Values { get; } = values;

    public override int VirtualTokenCount => (int)Keys[0].size(0);

    public override void AddRows(AdapterBatchBuilder batch, int row, int length, int streamStart)
    {
    }

    /// <summary>Writes the prefix into an empty sequence's first cache entries (at admission, between steps).</summary>
    public override bool TryAdmit(KvCache cache, SequenceKv sequence)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(sequence);
        if (sequence.Length != 0) throw new InvalidOperationException("a prefix goes into an empty sequence");
        if (!sequence.TryReserve(VirtualTokenCount, cache.Blocks)) return false;
        using var scope = NewDisposeScope();
        var slots = tensor(Enumerable.Range(0, VirtualTokenCount).Select(i => sequence.Slot(i)).ToArray(), device: Keys[0].device);
        for (int layer = 0; layer < Keys.Count; layer++) cache.Write(layer, slots, Keys[layer], Values[layer]);
        sequence.Commit(VirtualTokenCount);
        return true;
    }
}
