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

        // Tensor.norm(p) is the 2-norm over all elements, as linalg.vector_norm; the latter makes its ord a Scalar
        // inside the call (PEFT001).
        var norms = grads.Select(g => g.norm(2f)).ToArray();
        var total = stack(norms).norm(2f);
        using var tiny = 1e-6.ToScalar();
        using var max = maxNorm.ToScalar();
        var coefficient = total.add(tiny, Torch.Scalars.One).reciprocal().mul_(max).clamp_max_(Torch.Scalars.One);
        foreach (var g in grads) g.mul_(coefficient);
        return total.to(ScalarType.Float64).item<double>();
    }
}
