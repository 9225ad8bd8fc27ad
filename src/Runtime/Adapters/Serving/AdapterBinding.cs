using Peft.Runtime.Models.Cache;

namespace Peft.Runtime.Adapters.Serving;

/// <summary>
/// How one sequence's adapter takes part in forward passes once the adapter is on the device: what it adds to a
/// step's batch for the sequence's rows, and what it writes into the sequence's cache at admission. The tensors
/// belong to the adapter's device form, not to the binding.
/// </summary>
public abstract class AdapterBinding
{
    /// <summary>Cache entries the adapter occupies before the first prompt token (virtual tokens or a prefix).</summary>
    public virtual int VirtualTokenCount => 0;

    /// <summary>At admission, into the sequence's empty cache (prefix tuning writes its key/values). False when the
    /// blocks for it cannot be reserved.</summary>
    public virtual bool TryAdmit(KvCache cache, SequenceKv sequence) => true;

    /// <summary>Adds the sequence's rows [row, row + length) of the step, at stream positions streamStart.., to the batch.</summary>
    public abstract void AddRows(AdapterBatchBuilder batch, int row, int length, int streamStart);
}

/// <summary>A binding whose rows go to the adapter's row hooks.</summary>
public sealed class RowHooksBinding(IRowHooks hooks) : AdapterBinding
{
    public IRowHooks Hooks { get; } = hooks;

    public override void AddRows(AdapterBatchBuilder batch, int row, int length, int streamStart)
    {
        ArgumentNullException.ThrowIfNull(batch);
        batch.AddHooks(row, length, streamStart, Hooks);
    }
}
