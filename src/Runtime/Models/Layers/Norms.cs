using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Models.Layers;

internal static class Norms
{
    /// <summary>Llama RMSNorm: in float32, x · rsqrt(mean(x²) + eps), cast back, then times the weight.</summary>
    public static Tensor Rms(Tensor x, Tensor weight, double eps) => FloatRows.Rms(x, weight, eps) ?? RmsFormula(x, weight, eps);

    /// <summary><see cref="Rms"/> as tensor ops, whatever the input.</summary>
    internal static Tensor RmsFormula(Tensor x, Tensor weight, double eps)
    {
        var x32 = x.to(ScalarType.Float32);
        // x·x and an explicit alpha: square() and add_(scalar) would each make a Scalar inside the call (PEFT001).
        var variance = x32.mul(x32).mean([-1], keepdim: true);
        return weight.mul(x32.mul(variance.add_(Scalars.Of(eps), Scalars.One).rsqrt()).to(x.dtype));
    }

    public static Tensor Layer(Tensor x, Tensor weight, Tensor bias, double eps) =>
        nn.functional.layer_norm(x, [x.size(-1)], weight, bias, eps);
}
