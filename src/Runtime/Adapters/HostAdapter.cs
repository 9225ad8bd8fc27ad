using Peft.Runtime.Adapters.Serving;
using TorchSharp;

namespace Peft.Runtime.Adapters;

/// <summary>
/// A parsed and validated adapter, its tensors in host memory in the base model's dtype. Immutable once built;
/// the registry owns it and disposes it when no version of the registry and no request refers to it. It knows how
/// to become its device form (<see cref="ToDevice"/>), which is all the engine asks of a method.
/// </summary>
public abstract class HostAdapter : IDisposable
{
    protected HostAdapter(string name, string peftType)
    {
        Name = name;
        PeftType = peftType;
    }

    public string Name { get; }

    /// <summary>The config's <c>peft_type</c> (LORA, IA3, ...), as PEFT names it.</summary>
    public string PeftType { get; }

    /// <summary>Bytes of tensors held in host memory.</summary>
    public abstract long SizeBytes { get; }

    /// <summary>The adapter's rank as PEFT reports it (largest over modules); 0 where the method has none.</summary>
    public virtual int Rank => 0;

    /// <summary>Rank of the low-rank part held in a LoRA slot; 0: the adapter takes no slot.</summary>
    public virtual int SlotRank => 0;

    /// <summary>Device bytes outside the slot pool (counted against the engine's adapter tensor budget).</summary>
    public virtual long DeviceBytes => SlotRank > 0 ? 0 : SizeBytes;

    /// <summary>Targeted module names (q_proj, ...); none for prompt learning.</summary>
    public virtual IReadOnlyList<string> TargetModules => [];

    /// <summary>Prompt learning: virtual tokens; others: 0.</summary>
    public virtual int VirtualTokens => 0;

    /// <summary>Multitask prompt tuning: tasks a request chooses from (task_id); others: 0 (no task id allowed).</summary>
    public virtual int Tasks => 0;

    /// <summary>Builds the device form on the engine thread; <see cref="DeviceContext.Slot"/> is a free slot when
    /// <see cref="SlotRank"/> is positive.</summary>
    public abstract DeviceAdapter ToDevice(DeviceContext context);

    protected static long Bytes(torch.Tensor t) => t.NumberOfElements * t.ElementSize;

    protected abstract void DisposeTensors();

    public void Dispose()
    {
        DisposeTensors();
        GC.SuppressFinalize(this);
    }
}
