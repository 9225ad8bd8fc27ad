using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Models;
using TorchSharp;

namespace Peft.Runtime.Adapters.Dora;

/// <summary>Serving's share of DoRA at each module: the base output rescaled, <see cref="DoraMath.Rescale"/>.</summary>
internal sealed class DoraRescaleHooks(IReadOnlyDictionary<int, (torch.Tensor G, torch.Tensor? Offset)> scales) : RowHooks
{
    public override bool ActsAt(LinearSite site) => !site.IsHead && scales.ContainsKey(site.Index);

    public override torch.Tensor AfterLinear(LinearSite site, torch.Tensor x, torch.Tensor y)
    {
        var (g, offset) = scales[site.Index];
        return DoraMath.Rescale(y, g, offset);
    }
}
