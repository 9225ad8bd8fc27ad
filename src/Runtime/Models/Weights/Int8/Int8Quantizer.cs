using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Models.Weights.Int8;

/// <summary>
/// Symmetric per-row ("per output channel") INT8: scale[r] = max|W[r, :]| / 127, q = round(W / scale) in [-127, 127]
/// (round half to even), so W ≈ scale[r] · q with |W - scale·q| ≤ scale[r] / 2 everywhere. -128 is never used, which
/// keeps negation exact. A row of zeros gets scale 0 and q 0. Runs on the matrix's own device, in float32.
/// </summary>
internal static class Int8Quantizer
{
    public const int MaxLevel = 127;

    /// <returns>q [rows, columns] int8 and scale [rows] float32, on the device of <paramref name="weight"/>.</returns>
    public static (Tensor Values, Tensor Scales) Quantize(Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.dim() != 2) throw new ArgumentException($"expected a matrix, got shape [{string.Join(", ", weight.shape)}]", nameof(weight));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var w = weight.to(ScalarType.Float32);
        using var levels = ((double)MaxLevel).ToScalar();
        using var low = (-(double)MaxLevel).ToScalar();
        using var zero = 0.0.ToScalar();
        var scales = w.abs().amax([1]).div_(levels);
        var divisor = where(scales.eq(zero), ones_like(scales), scales).unsqueeze(1);
        var values = w.div(divisor).round_().clamp_(low, levels).to(ScalarType.Int8);
        return (values.contiguous().MoveToOuterDisposeScope(), scales.contiguous().MoveToOuterDisposeScope());
    }
}
