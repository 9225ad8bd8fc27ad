using TorchSharp;

namespace Peft.Runtime.Adapters.Serving;

/// <summary>
/// The device form of a low-rank adapter: its factors in LoRA slot <see cref="Slot"/> (the residency clears the
/// slot on eviction) and, optionally, row hooks for what a slot cannot hold (the head, the embedding, replaced
/// biases, DoRA's magnitudes), over device tensors owned here.
/// </summary>
public sealed class SlotAdapterDevice : DeviceAdapter
{
    private readonly torch.Tensor[] _owned;
    private readonly IDisposable? _hooksLifetime;
    private readonly SlotBinding _binding;

    public SlotAdapterDevice(int slot, IRowHooks? hooks, IEnumerable<torch.Tensor> owned)
    {
        Slot = slot;
        _owned = [.. owned];
        _hooksLifetime = hooks as IDisposable;
        _binding = new SlotBinding(slot, hooks);
    }

    /// <summary>-1: nothing in the pool (an adapter of only head or embedding modules).</summary>
    public int Slot { get; }

    public override AdapterBinding Bind(int? task) => _binding;

    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        _hooksLifetime?.Dispose();
        foreach (var t in _owned) t.Dispose();
    }
}

/// <summary>A sequence's rows take slot <see cref="Slot"/>'s delta and, when present, the adapter's row hooks.</summary>
public sealed class SlotBinding(int slot, IRowHooks? hooks = null) : AdapterBinding
{
    public int Slot { get; } = slot;

    public override void AddRows(AdapterBatchBuilder batch, int row, int length, int streamStart)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (hooks is not null) batch.AddHooks(row, length, streamStart, hooks);
        if (Slot >= 0) batch.AddSlot(row, length, Slot);
    }
}
