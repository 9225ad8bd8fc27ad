using Peft.Runtime.Adapters.PrefixTuning;
using Peft.Runtime.Adapters.VirtualTokens;
using Peft.Runtime.Models.Cache;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Engine.Batching;

/// <summary>
/// How a sequence's adapter shows up in a forward pass once the adapter is on the device. One kind per hook:
/// LoRA rows point at a slot, virtual-token rows take embeddings at prefill, a prefix is cache content written at
/// admission. The tensors belong to the device tier of the registry, not to the binding.
/// </summary>
public abstract record AdapterBinding
{
    /// <summary>Cache entries the adapter occupies before the first prompt token (virtual tokens or a prefix).</summary>
    public virtual int VirtualTokenCount => 0;
}

/// <summary>LoRA: the rows of this sequence use slot <paramref name="Slot"/> of the pool.</summary>
public sealed record LoraBinding(int Slot) : AdapterBinding;

/// <summary>Prompt tuning / P-tuning: the first entries of the sequence are these embeddings [n, hidden].</summary>
public sealed record VirtualTokenBinding(Tensor Embeddings) : AdapterBinding
{
    public override int VirtualTokenCount => (int)Embeddings.shape[0];

    /// <summary>A device copy owned by the caller (detached from any dispose scope).</summary>
    public static VirtualTokenBinding ToDevice(VirtualTokenAdapter adapter, Device device)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        return new(adapter.Embeddings.to(device).DetachFromDisposeScope());
    }
}

/// <summary>Prefix tuning: per layer keys and values [n, kv_heads, head_dim], written as the sequence's first entries.</summary>
public sealed record PrefixBinding(IReadOnlyList<Tensor> Keys, IReadOnlyList<Tensor> Values) : AdapterBinding
{
    public override int VirtualTokenCount => (int)Keys[0].shape[0];

    /// <summary>Device copies owned by the caller (detached from any dispose scope).</summary>
    public static PrefixBinding ToDevice(PrefixAdapter adapter, Device device)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        return new(
            adapter.Keys.Select(k => k.to(device).DetachFromDisposeScope()).ToArray(),
            adapter.Values.Select(v => v.to(device).DetachFromDisposeScope()).ToArray());
    }

    /// <summary>Writes the prefix into an empty sequence's first cache entries (at admission, between steps).</summary>
    public bool TryWriteInto(KvCache cache, SequenceKv sequence)
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
