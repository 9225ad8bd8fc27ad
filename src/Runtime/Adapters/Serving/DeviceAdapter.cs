namespace Peft.Runtime.Adapters.Serving;

/// <summary>
/// An adapter's device form: what its host form became on the device (a filled LoRA slot, device tensors, or both),
/// owned by the engine's device tier, which disposes it on eviction. Sequences use it through bindings.
/// </summary>
public abstract class DeviceAdapter : IDisposable
{
    /// <summary>The binding for one request (multitask prompt tuning: per task; everything else: one for all).</summary>
    /// <param name="task">The request's task id, validated at submission against <see cref="HostAdapter.Tasks"/>.</param>
    public abstract AdapterBinding Bind(int? task);

    protected abstract void Dispose(bool disposing);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }
}

/// <summary>A device form with one binding for every request, owning the given device tensors (and a slot, if any).</summary>
public sealed class SingleBindingDevice(AdapterBinding binding, IEnumerable<TorchSharp.torch.Tensor> owned, Action? release = null) : DeviceAdapter
{
    private readonly TorchSharp.torch.Tensor[] _owned = [.. owned];

    public override AdapterBinding Bind(int? task) => binding;

    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        foreach (var t in _owned) t.Dispose();
        release?.Invoke();
    }
}
