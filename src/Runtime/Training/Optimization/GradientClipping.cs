using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Training.Optimization;

/// <summary>Gradient clipping, as <c>torch.nn.utils.clip_grad_norm_</c> does it.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales the gradients of <paramref name="parameters"/> in place so that their global L2 norm (all gradients as
    /// one vector) is at most <paramref name="maxNorm"/>, and returns the norm before clipping. Parameters without a
    /// gradient are ignored.
    /// </summary>
    /// <remarks>
    /// Semantics (torch, norm_type 2): total = ‖[‖g₁‖, ‖g₂‖, …]‖; coef = min(1, max_norm / (total + 1e-6)); g *= coef.
    /// The 1e-6 keeps the division finite, so a clipped norm lands a hair under max_norm. As in torch the multiply
    /// always runs (by exactly 1 when not clipping, which leaves the values unchanged); a non-finite norm is returned,
    /// not thrown, and then turns the gradients non-finite as well.
    /// </remarks>
    public static double ClipByGlobalNorm(IEnumerable<Tensor> parameters, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "must be > 0");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var grads = parameters.Select(p => p.grad).OfType<Tensor>().ToList();
        if (grads.Count == 0) return 0.0;

        var norms = grads.Select(g => linalg.vector_norm(g, 2)).ToArray();
        var total = linalg.vector_norm(stack(norms), 2);
        using var tiny = 1e-6.ToScalar();
        using var max = maxNorm.ToScalar();
        var coefficient = total.add(tiny).reciprocal().mul_(max).clamp_max_(Torch.Scalars.One);
        foreach (var g in grads) g.mul_(coefficient);
        return total.to(ScalarType.Float64).item<double>();
    }
}
