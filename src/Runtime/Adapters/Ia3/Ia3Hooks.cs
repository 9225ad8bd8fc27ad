using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Models;
using TorchSharp;

namespace Peft.Runtime.Adapters.Ia3;

/// <summary>
/// IA³'s math (PEFT's ia3 Linear), written once for serving (device copies) and training (parameters):
///   feed-forward module: y = W·(x ⊙ l) + b      (l [in])
///   other module:        y = (W·x + b) ⊙ l      (l [out]; the bias is scaled too)
/// </summary>
public sealed class Ia3Hooks(IReadOnlyDictionary<int, torch.Tensor> inputScales, IReadOnlyDictionary<int, torch.Tensor> outputScales) : RowHooks
{
    /// <summary>Per site index: l [in] of feed-forward modules.</summary>
    public IReadOnlyDictionary<int, torch.Tensor> InputScales { get; } = inputScales;

    /// <summary>Per site index: l [out] of the other modules.</summary>
    public IReadOnlyDictionary<int, torch.Tensor> OutputScales { get; } = outputScales;

    public override bool ChangesInput(LinearSite site) => InputScales.ContainsKey(site.Index);

    public override bool ActsAt(LinearSite site) => OutputScales.ContainsKey(site.Index);

    public override torch.Tensor BeforeLinear(LinearSite site, torch.Tensor x) => x.mul(InputScales[site.Index]);

    public override torch.Tensor AfterLinear(LinearSite site, torch.Tensor x, torch.Tensor y) => y.mul(OutputScales[site.Index]);
}
