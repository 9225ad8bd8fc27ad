using Peft.Runtime.Models.Weights.Int8;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Models.Weights;

/// <summary>
/// What an INT8 product must give, computed independently of the kernels with plain float64 tensor math, and how far
/// from it a kernel may be: the int16 activation rounding (at most max|x in group| / 32767 / 2 per element) times the
/// dequantized weights, plus float32 accumulation.
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

    /// <summary>Per-element bound [n, rows] on |kernel − <see cref="Product"/>| for the int16-activation kernels.</summary>
    public static Tensor KernelBound(Tensor x, Tensor dequantized)
    {
        long n = x.shape[0], columns = x.shape[1];
        long groups = (columns + 63) / 64;
        var padded = nn.functional.pad(x.to(ScalarType.Float64).abs(), [0, groups * 64 - columns]);
        var groupMax = padded.view(n, groups, 64).amax([2]);                                     // [n, groups]
        var step = groupMax.div(32767.0 * 2).repeat_interleave(64, 1).narrow(1, 0, columns);   // [n, columns]
        var rounding = step.matmul(dequantized.abs().t());
        var accumulation = x.to(ScalarType.Float64).abs().matmul(dequantized.abs().t()).mul(1e-5);
        return rounding.add(accumulation).add(1e-6);
    }

    /// <summary>Per-element bound on |x Wᵀ − x Ŵᵀ| from the weights' own rounding: Σ |x| · scale[r] / 2.</summary>
    public static Tensor WeightRoundingBound(Tensor x, Tensor weight)
    {
        var (_, scales) = Int8Quantizer.Quantize(weight);
        return x.to(ScalarType.Float64).abs().sum([1], keepdim: true).mul(scales.to(ScalarType.Float64).div(2).unsqueeze(0));
    }
}
