using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Models;
using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.Lora;

/// <summary>
/// LoRA's math as row hooks, the one place it is written for autograd: training runs it on its parameters at every
/// targeted site (with dropout on the LoRA input); serving computes the same product batched in the slot pool.
///   linear:    y + s · (drop(x) · Aᵀ) · Bᵀ
/// </summary>
public sealed class LoraHooks : RowHooks, IDisposable
{
    private readonly Dictionary<int, (Tensor A, Tensor B, Scalar Scaling)> _linears = [];
    private readonly Func<Tensor, Tensor>? _dropout;

    public LoraHooks(IEnumerable<(LinearSite Site, Tensor A, Tensor B, double Scaling)> linears, Func<Tensor, Tensor>? dropout = null)
    {
        ArgumentNullException.ThrowIfNull(linears);
        foreach (var (site, a, b, scaling) in linears) _linears[site.Index] = (a, b, scaling.ToScalar());
        _dropout = dropout;
    }

    public override bool ActsAt(LinearSite site) => _linears.ContainsKey(site.Index);

    public override Tensor AfterLinear(LinearSite site, Tensor x, Tensor y)
    {
        var (a, b, scaling) = _linears[site.Index];
        var input = _dropout is null ? x : _dropout(x);
        return y.add(LoraMath.Delta(input, a, b).mul(scaling), Scalars.One);
    }

    public void Dispose()
    {
        foreach (var m in _linears.Values) m.Scaling.Dispose();
    }
}
