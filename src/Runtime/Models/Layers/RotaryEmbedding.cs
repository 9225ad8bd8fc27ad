using Peft.Runtime.Models.Config;
using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Models.Layers;

/// <summary>
/// Hugging Face's rotary embedding ("rotate_half": dimension j pairs with j + D/2). Frequencies are computed once,
/// step by step in float32 exactly as transformers does, because a float64 formula rounded once drifts by an ulp
/// and that shows in the logits. Angles are computed per pass from the positions, so no table bounds the context.
/// </summary>
internal sealed class RotaryEmbedding : IDisposable
{
    private readonly Tensor _inverseFrequencies; // [D/2] float32

    public RotaryEmbedding(int headDim, RopeConfig rope, Device device)
    {
        _inverseFrequencies = tensor(InverseFrequencies(headDim, rope), device: device).DetachFromDisposeScope();
    }

    /// <summary>
    /// inv_freq_i = f32(1 / f32(theta ^ f32(f32(2i) / D))), then the configured scaling, all in float32.
    /// </summary>
    public static float[] InverseFrequencies(int headDim, RopeConfig rope)
    {
        ArgumentNullException.ThrowIfNull(rope);
        var result = new float[headDim / 2];
        float theta = (float)rope.Theta;
        for (int i = 0; i < result.Length; i++)
        {
            float exponent = (float)(2 * i) / headDim;
            float power = (float)Math.Pow(theta, exponent);
            result[i] = 1f / power;
        }
        switch (rope.Scaling)
        {
            case null:
                break;
            case LinearRopeScaling linear:
                for (int i = 0; i < result.Length; i++) result[i] /= (float)linear.Factor;
                break;
            case Llama3RopeScaling llama3:
                ApplyLlama3(result, llama3);
                break;
            default:
                throw new NotSupportedException($"rope scaling {rope.Scaling} has no implementation");
        }
        return result;
    }

    /// <summary>transformers' _compute_llama3_parameters, operation by operation in float32.</summary>
    private static void ApplyLlama3(float[] frequencies, Llama3RopeScaling s)
    {
        float factor = (float)s.Factor;
        float low = (float)s.LowFreqFactor;
        float high = (float)s.HighFreqFactor;
        float oldContext = s.OriginalMaxPositionEmbeddings;
        double lowWavelength = s.OriginalMaxPositionEmbeddings / s.LowFreqFactor;
        double highWavelength = s.OriginalMaxPositionEmbeddings / s.HighFreqFactor;
        float twoPi = (float)(2 * Math.PI);
        for (int i = 0; i < frequencies.Length; i++)
        {
            float f = frequencies[i];
            // torch evaluates `2π / inv_freq` as reciprocal then multiply.
            float wavelength = (1f / f) * twoPi;
            if (wavelength < highWavelength) continue;
            if (wavelength > lowWavelength)
            {
                frequencies[i] = f / factor;
                continue;
            }
            float smooth = ((1f / wavelength) * oldContext - low) / (float)(s.HighFreqFactor - s.LowFreqFactor);
            frequencies[i] = (1f - smooth) * f / factor + smooth * f;
        }
    }

    /// <param name="positions">[T] int64</param>
    /// <returns>cos and sin, each [T, 1, D] in <paramref name="dtype"/></returns>
    public (Tensor Cos, Tensor Sin) Angles(Tensor positions, ScalarType dtype)
    {
        var freqs = positions.to(ScalarType.Float32).unsqueeze(1).mul(_inverseFrequencies.unsqueeze(0)); // [T, D/2]
        var emb = cat([freqs, freqs], 1).unsqueeze(1);                                                     // [T, 1, D]
        return (emb.cos().to(dtype), emb.sin().to(dtype));
    }

    /// <summary>x·cos + rotate_half(x)·sin with rotate_half(x) = [-x2, x1].</summary>
    /// <param name="x">[T, H, D]</param>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin) => FloatRows.RotateHalf(x, cos, sin) ?? ApplyFormula(x, cos, sin);

    /// <summary><see cref="Apply"/> as tensor ops, whatever the input.</summary>
    internal static Tensor ApplyFormula(Tensor x, Tensor cos, Tensor sin)
    {
        long half = x.size(2) / 2;
        var rotated = cat([x.narrow(2, half, half).neg(), x.narrow(2, 0, half)], 2);
        return x.mul(cos).add_(rotated.mul_(sin), Scalars.One);
    }

    public void Dispose() => _inverseFrequencies.Dispose();
}
