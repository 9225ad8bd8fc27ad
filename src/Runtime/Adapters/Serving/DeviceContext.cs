using Peft.Runtime.Models;
using TorchSharp;

namespace Peft.Runtime.Adapters.Serving;

/// <summary>
/// What a host form needs to become a device form (engine thread only): the model it will run on (base weights for
/// methods whose device form depends on them, such as DoRA's norms), the LoRA slot pool and the slot it was given.
/// </summary>
public sealed record DeviceContext(CausalLM Model, LoraSlotPool? Pool, int Slot)
{
    public torch.Device Device => Model.Device;

    /// <summary>The tensor on the device in the model's dtype, in the caller's dispose scope: an alias when it is
    /// there already, so read it, never write it.</summary>
    public torch.Tensor View(torch.Tensor host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.to(Model.Dtype, Device);
    }

    /// <summary>A detached device copy in the model's dtype, owned by the caller: always a copy (never an alias of
    /// the host tensor, even on the same device), so device forms may compute in place.</summary>
    public torch.Tensor Copy(torch.Tensor host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.to(Model.Dtype, Device, copy: true).DetachFromDisposeScope();
    }
}
