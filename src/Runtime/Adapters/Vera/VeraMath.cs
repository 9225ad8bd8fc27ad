using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Models;
using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.Vera;

/// <summary>
/// VeRA's math (PEFT's vera Linear), written once. One pair of frozen random projections A [r, in_max] and
/// B [out_max, r] is shared by every module; each module learns λ_d [r] and λ_b [out]:
///   y + λ_b ⊙ ((λ_d ⊙ (x · A[:, :in]ᵀ)) · B[:out, :]ᵀ)
/// </summary>
public sealed class VeraHooks(Tensor a, Tensor b, IReadOnlyDictionary<LinearSite, (Tensor LambdaD, Tensor LambdaB)> modules, Func<Tensor, Tensor>? dropout = null) : RowHooks
{
    private readonly Dictionary<int, (LinearSite Site, Tensor LambdaD, Tensor LambdaB)> _bySite =
        modules.ToDictionary(p => p.Key.Index, p => (p.Key, p.Value.LambdaD, p.Value.LambdaB));

    public override bool ActsAt(LinearSite site) => _bySite.ContainsKey(site.Index);

    public override Tensor AfterLinear(LinearSite site, Tensor x, Tensor y)
    {
        var (s, d, lb) = _bySite[site.Index];
        var input = dropout is null ? x : dropout(x);
        var shrunk = input.matmul(a.narrow(1, 0, s.InFeatures).t()).mul(d);
        return y.add(shrunk.matmul(b.narrow(0, 0, s.OutFeatures).t()).mul(lb), Scalars.One);
    }

    /// <summary>
    /// PEFT's projections when they were not saved: a CPU generator seeded with projection_prng_key fills A, then B,
    /// with Kaiming-uniform values (bound √3 · √2 / √fan_in), in float32.
    /// </summary>
    public static (Tensor A, Tensor B) Projections(long key, int rank, int inMax, int outMax)
    {
        using var generator = new Generator((ulong)key, CPU);
        return (Kaiming([rank, inMax], generator), Kaiming([outMax, rank], generator));
    }

    private static Tensor Kaiming(long[] shape, Generator generator)
    {
        double bound = Math.Sqrt(3.0) * Math.Sqrt(2.0) / Math.Sqrt(shape[1]);
        return empty(shape, ScalarType.Float32).uniform_(-bound, bound, generator);
    }
}
