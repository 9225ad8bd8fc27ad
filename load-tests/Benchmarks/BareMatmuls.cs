using Peft.Runtime.Models;
using Peft.Runtime.Models.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.LoadTests.Benchmarks;

/// <summary>
/// The machine's matmul limit at a model step's shapes: every linear of the step (each block's seven, then the
/// head) as a plain product on the model's own weights with their own kernel (libtorch's <c>x Wᵀ</c> for float
/// weights, the INT8 kernel for quantized ones), with nothing else in between.
/// </summary>
internal sealed class BareMatmuls(CausalLM model)
{
    private readonly (IWeightMatrix Weight, long In, long Out)[] _sites =
        [.. model.LinearSites.Select(s => (model.SiteWeight(s), (long)s.InFeatures, (long)s.OutFeatures))];

    private readonly IWeightMatrix _head = model.HeadWeight;

    /// <summary>Floating-point operations of the step's matmuls: <paramref name="tokens"/> rows through every
    /// block linear and <paramref name="logitRows"/> through the head.</summary>
    public double Flops(long tokens, long logitRows) =>
        2.0 * tokens * _sites.Sum(s => s.In * s.Out) + 2.0 * logitRows * _head.Rows * _head.Columns;

    /// <returns>Seconds for one pass over every matmul.</returns>
    public double Run(long tokens, long logitRows)
    {
        using var scope = NewDisposeScope();
        var inputs = _sites.Select(s => s.In).Append(_head.Columns).Distinct()
            .ToDictionary(n => n, n => randn([tokens, n], model.Dtype, model.Device));
        var headInput = inputs[_head.Columns].narrow(0, 0, logitRows);
        return Timing.Seconds(() =>
        {
            foreach (var (weight, inFeatures, _) in _sites)
            {
                using var y = weight.Linear(inputs[inFeatures], null);
            }
            using var logits = _head.Linear(headInput, null);
        });
    }
}
