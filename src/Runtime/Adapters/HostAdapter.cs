using TorchSharp;

namespace Peft.Runtime.Adapters;

/// <summary>
/// A parsed and validated adapter, its tensors in host memory in the base model's dtype. Immutable once built;
/// the registry owns it and disposes it when no version of the registry and no request refers to it.
/// </summary>
public abstract class HostAdapter : IDisposable
{
    protected HostAdapter(string name, string peftType)
    {
        Name = name;
        PeftType = peftType;
    }

    public string Name { get; }

    /// <summary>LORA, PREFIX_TUNING, PROMPT_TUNING or P_TUNING, as PEFT names it.</summary>
    public string PeftType { get; }

    /// <summary>Bytes of tensors held (host and device copies are the same size).</summary>
    public abstract long SizeBytes { get; }

    /// <summary>LoRA: largest rank over modules; others: 0.</summary>
    public virtual int Rank => 0;

    /// <summary>LoRA: targeted module names (q_proj, ...); others: none.</summary>
    public virtual IReadOnlyList<string> TargetModules => [];

    /// <summary>Prompt learning: virtual tokens; LoRA: 0.</summary>
    public virtual int VirtualTokens => 0;

    protected static long Bytes(torch.Tensor t) => t.NumberOfElements * t.ElementSize;

    protected abstract void DisposeTensors();

    public void Dispose()
    {
        DisposeTensors();
        GC.SuppressFinalize(this);
    }
}
