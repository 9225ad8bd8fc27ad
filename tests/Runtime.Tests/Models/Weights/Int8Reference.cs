using Peft.Runtime.Models.Weights.Int8;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Models.Weights;

/// <summary>
/// What an INT8 product must give, computed independently of the kernels with plain float64 tensor math, and how far
/// from it a float32 kernel may be: the classic bound on a float sum of n products, |error| ≤ γ(n) Σ |x| |Ŵ| with
/// γ(n) = n u / (1 - n u), u = 2⁻²⁴ (one more term for the scale and one for the bias).
/// </summary>
internal static class Int8Reference
{
    /// <summary>q · scale from the quantizer, [rows, columns] float64.</summary>
    public static Tensor Dequantized(Tensor weight)
    {
        var (values, scales) = Int8Quantizer.Quantize(weight);
        return values.to(ScalarType.Float64).mul(scales.to(ScalarType.Float64).unsqueeze(1));
    }

    /// <summary>x Wᵀ in float64 [n, rows].</summary>
    public static Tensor Product(Tensor x, Tensor dequantized) => x.to(ScalarType.Float64).matmul(dequantized.t());

    /// <summary>Per-element bound [n, rows] on |kernel − <see cref="Product"/>| (bias excluded from the sums).</summary>
    public static Tensor KernelBound(Tensor x, Tensor dequantized, Tensor? bias = null)
    {
        double n = x.shape[1] + 2, u = Math.Pow(2, -24), gamma = n * u / (1 - n * u);
        var sums = x.to(ScalarType.Float64).abs().matmul(dequantized.abs().t());
        if (bias is not null) sums = sums.add(bias.to(ScalarType.Float64).abs());
        return sums.mul(gamma).add(1e-30);
    }

    /// <summary>Per-element bound on |x Wᵀ − x Ŵᵀ| from the weights' own rounding: Σ |x| · scale[r] / 2.</summary>
    public static Tensor WeightRoundingBound(Tensor x, Tensor weight)
    {
        var (_, scales) = Int8Quantizer.Quantize(weight);
        return x.to(ScalarType.Float64).abs().sum([1], keepdim: true).mul(scales.to(ScalarType.Float64).div(2).unsqueeze(0));
    }
}
