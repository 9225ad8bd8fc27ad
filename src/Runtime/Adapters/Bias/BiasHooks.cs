using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Models;
using Peft.Runtime.Torch;
using TorchSharp;

namespace Peft.Runtime.Adapters.Bias;

/// <summary>A replaced bias as rows see it: y + (b' − b) at the sites whose bias the adapter replaces.</summary>
/// <param name="linears">Per linear site index: b' − b [out].</param>
/// <param name="norms">Per norm site index: b' − b [features].</param>
internal sealed class BiasHooks(IReadOnlyDictionary<int, torch.Tensor> linears, IReadOnlyDictionary<int, torch.Tensor> norms) : RowHooks
{
    public override bool ActsAt(LinearSite site) => linears.ContainsKey(site.Index) && !site.IsHead;

    public override bool ActsAt(NormSite site) => norms.ContainsKey(site.Index);

    public override torch.Tensor AfterLinear(LinearSite site, torch.Tensor x, torch.Tensor y) => y.add(linears[site.Index], Scalars.One);

    public override torch.Tensor AfterNorm(NormSite site, torch.Tensor y) => y.add(norms[site.Index], Scalars.One);
}
