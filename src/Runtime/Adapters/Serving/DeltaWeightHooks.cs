using Peft.Runtime.Models;
using Peft.Runtime.Torch;
using TorchSharp;

namespace Peft.Runtime.Adapters.Serving;

/// <summary>
/// Methods whose delta is a full matrix rebuilt from small factors (LoHa, LoKr), as PEFT applies them:
/// y + x · ΔWᵀ, ΔW [out, in]. Serving rebuilds ΔW once, on the device, when the adapter arrives there; training
/// rebuilds it from the parameters at every forward.
/// </summary>
public sealed class DeltaWeightHooks(IReadOnlyDictionary<int, Func<torch.Tensor>> deltas) : RowHooks
{
    public override bool ActsAt(LinearSite site) => deltas.ContainsKey(site.Index);

    public override torch.Tensor AfterLinear(LinearSite site, torch.Tensor x, torch.Tensor y) =>
        y.add(torch.nn.functional.linear(x, deltas[site.Index]()), Scalars.One);

    /// <summary>Serving: ΔW per module rebuilt on the device by <paramref name="rebuild"/> (owned by the device form).</summary>
    public static SingleBindingDevice Device<TModule>(DeviceContext context, IReadOnlyCollection<TModule> modules, Func<TModule, LinearSite> site,
        Func<TModule, DeviceContext, torch.Tensor> rebuild)
    {
        ArgumentNullException.ThrowIfNull(context);
        var owned = new List<torch.Tensor>();
        var deltas = new Dictionary<int, Func<torch.Tensor>>();
        foreach (var module in modules)
        {
            using var scope = torch.NewDisposeScope();
            var delta = rebuild(module, context).to(context.Model.Dtype).MoveToOuterDisposeScope().DetachFromDisposeScope();
            owned.Add(delta);
            deltas[site(module).Index] = () => delta;
        }
        return new SingleBindingDevice(new RowHooksBinding(new DeltaWeightHooks(deltas)), owned);
    }
}
