using Peft.Runtime.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.LoadTests.Benchmarks;

/// <summary>
/// The machine's matmul limit at a model step's shapes: every linear of the step (each block's seven, then the
/// head) as a plain <c>x.matmul(W.t())</c> on the model's own weights, with nothing else in between.
/// </summary>
internal sealed class BareMatmuls(CausalLM model)
{
    private readonly (Tensor Weight, long In, long Out)[] _sites =
        [.. model.LinearSites.Select(s => (model.SiteWeight(s), (long)s.InFeatures, (long)s.OutFeatures))];

    private readonly Tensor _head = model.Weights.FirstOrDefault(w => w.Name == "lm_head.weight")?.Tensor
        ?? model.Weights.First(w => w.Name is "model.embed_tokens.weight" or "transformer.wte.weight").Tensor;

    /// <summary>Floating-point operations of the step's matmuls: <paramref name="tokens"/> rows through every
    /// block linear and <paramref name="logitRows"/> through the head.</summary>
    public double Flops(long tokens, long logitRows) =>
        2.0 * tokens * _sites.Sum(s => s.In * s.Out) + 2.0 * logitRows * _head.shape[0] * _head.shape[1];

    /// <returns>Seconds for one pass over every matmul.</returns>
    public double Run(long tokens, long logitRows)
    {
        using var scope = NewDisposeScope();
        var inputs = _sites.Select(s => s.In).Append(_head.shape[1]).Distinct()
            .ToDictionary(n => n, n => randn([tokens, n], model.Dtype, model.Device));
        var headInput = inputs[_head.shape[1]].narrow(0, 0, logitRows);
        return Timing.Seconds(() =>
        {
            foreach (var (weight, inFeatures, _) in _sites)
            {
                using var y = inputs[inFeatures].matmul(weight.t());
            }
            using var logits = headInput.matmul(_head.t());
        });
    }
}
