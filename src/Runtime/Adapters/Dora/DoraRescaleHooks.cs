using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Models;
using TorchSharp;

namespace Peft.Runtime.Adapters.Dora;

/// <summary>Serving's share of DoRA at each module: the output rescaled, <see cref="DoraMath.Rescale"/> (the embedding's by g alone).</summary>
internal sealed class DoraRescaleHooks(IReadOnlyDictionary<int, (torch.Tensor G, torch.Tensor? Offset)> scales, torch.Tensor? embedding) : RowHooks
{
    public override bool ActsOnEmbeddings => embedding is not null;

    public override bool ActsAt(LinearSite site) => scales.ContainsKey(site.Index);

    public override torch.Tensor Embeddings(torch.Tensor tokenIds, torch.Tensor embeddings, int streamStart) => embeddings.mul(embedding!);

    public override torch.Tensor AfterLinear(LinearSite site, torch.Tensor x, torch.Tensor y)
    {
        var (g, offset) = scales[site.Index];
        return DoraMath.Rescale(y, g, offset);
    }
}
