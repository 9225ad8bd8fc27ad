using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Models.Weights;
using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.Dora;

/// <summary>
/// DoRA's math (PEFT's DoraLinearLayer), written once. With W the base weight [out, in], b its bias, s the LoRA
/// scaling and m the magnitude [out]:
///   g = m / ‖W + s·B·A‖ (row norms, without gradient: PEFT detaches them)
///   y_dora = W·x + b + (g − 1) ⊙ (W·x) + g ⊙ s·B·A·x = g ⊙ (W·x) + b + g ⊙ s·B·A·x
/// Training adds <see cref="Delta"/> to the base output (with dropout on x, also inside W·x, as PEFT does). Serving
/// splits the same sum: the low-rank term goes into a LoRA slot with g·s folded into B, and the base term is
/// <see cref="Rescale"/> of the base output y = W·x + b, which needs no second product with W.
/// </summary>
public static class DoraMath
{
    /// <returns>‖W + s·B·A‖ per output row [out] in W's dtype; never requires grad.</returns>
    public static Tensor WeightNorm(Tensor weight, Tensor a, Tensor b, Scalar scaling)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(b);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var combined = weight.add(b.matmul(a), scaling);
        return combined.mul(combined).sum([1]).sqrt_().to(weight.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>Training: the DoRA delta added to the base output (x already dropped out). W in its resident form: its
    /// own kernel multiplies, and an INT8 W's norms are those of its dequantized rows (<see cref="BaseNorms"/>), so
    /// training on an INT8 base trains what serving on it runs.</summary>
    /// <returns>(g − 1) ⊙ (x·Wᵀ) + g ⊙ s·(x·Aᵀ)·Bᵀ, [n, out]; gradients reach m, A and B, not the norm.</returns>
    public static Tensor Delta(Tensor x, IWeightMatrix weight, ScalarType dtype, Tensor a, Tensor b, Scalar scaling, Tensor magnitude)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(magnitude);
        var g = magnitude.div(BaseNorms.Rows(weight, dtype, a, b, scaling));
        var baseTerm = weight.Linear(x, null).mul(g.sub(Scalars.One));
        return baseTerm.add(LoraMath.Delta(x, a, b).mul(scaling).mul(g), Scalars.One);
    }

    /// <summary>Serving: the base part on the base output, y ↦ g ⊙ (y − b) + b = g ⊙ y + (1 − g) ⊙ b.</summary>
    /// <param name="g">[out]</param>
    /// <param name="offset">(1 − g) ⊙ b [out], or null for a layer without bias</param>
    public static Tensor Rescale(Tensor y, Tensor g, Tensor? offset)
    {
        ArgumentNullException.ThrowIfNull(y);
        var scaled = y.mul(g);
        return offset is null ? scaled : scaled.add_(offset, Scalars.One);
    }
}
