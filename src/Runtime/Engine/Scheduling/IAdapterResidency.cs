namespace Peft.Runtime.Engine.Scheduling;

/// <summary>The scheduler's view of adapter memory: whether a sequence's adapter can be put on the device now.</summary>
internal interface IAdapterResidency
{
    /// <summary>True when the adapter's parsed weights are in host memory (starts loading them if not).</summary>
    bool IsReady(Sequence sequence, out string? failure);

    /// <summary>True when the sequence's LoRA adapter already occupies a slot.</summary>
    bool IsResident(Sequence sequence);

    /// <summary>Binds the adapter for the sequence (copying it into a slot if needed; writing a prefix into its
    /// cache). The sequence's KV blocks are already reserved.</summary>
    BindResult TryBind(Sequence sequence);

    void Unbind(Sequence sequence);
}

internal enum BindResult
{
    Bound,
    /// <summary>Every LoRA slot is held by adapters that running sequences use.</summary>
    NoSlot,
}
