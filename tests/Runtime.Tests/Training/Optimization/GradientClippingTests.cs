using Peft.Runtime.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Training.Optimization;

public sealed class GradientClippingTests
{
    /// <summary>Parameters whose gradients are exactly <paramref name="gradients"/> (loss = Σ p·g).</summary>
    private static Tensor[] WithGradients(params float[][] gradients)
    {
        var parameters = gradients.Select(g => zeros(g.Length).requires_grad_(true)).ToArray();
        using var scope = NewDisposeScope();
        foreach (var (p, g) in parameters.Zip(gradients)) p.mul(tensor(g)).sum().backward();
        return parameters;
    }

    private static float[] Grad(Tensor p)
    {
        using var g = p.grad!;
        return g.data<float>().ToArray();
    }

    [Fact]
    public void Large_gradients_are_scaled_to_the_max_norm_over_all_tensors_together()
    {
        // ‖(3, 4)‖ = 5 and ‖(12)‖ = 12: the global norm is 13, not either tensor's own.
        var parameters = WithGradients([3f, 4f], [12f]);

        double norm = GradientClipping.ClipByGlobalNorm(parameters, maxNorm: 1.0);

        Assert.Equal(13.0, norm, 5);
        double coefficient = 1.0 / (13.0 + 1e-6);
        Assert.Equal(3 * coefficient, Grad(parameters[0])[0], 6);
        Assert.Equal(4 * coefficient, Grad(parameters[0])[1], 6);
        Assert.Equal(12 * coefficient, Grad(parameters[1])[0], 6);
        double clipped = Math.Sqrt(parameters.SelectMany(Grad).Sum(x => (double)x * x));
        Assert.Equal(1.0, clipped, 5);
        foreach (var p in parameters) p.Dispose();
    }

    [Fact]
    public void Small_gradients_are_left_exactly_as_they_were()
    {
        float[] a = [0.1f, -0.2f], b = [0.3f];
        var parameters = WithGradients(a, b);

        double norm = GradientClipping.ClipByGlobalNorm(parameters, maxNorm: 1.0);

        Assert.Equal(Math.Sqrt(0.01 + 0.04 + 0.09), norm, 6);
        Assert.Equal(a, Grad(parameters[0]));
        Assert.Equal(b, Grad(parameters[1]));
        foreach (var p in parameters) p.Dispose();
    }

    [Fact]
    public void Parameters_without_gradients_are_ignored()
    {
        var parameters = WithGradients([6f, 8f]);
        using var none = zeros(3).requires_grad_(true);

        double norm = GradientClipping.ClipByGlobalNorm([none, .. parameters], maxNorm: 5.0);

        Assert.Equal(10.0, norm, 5);
        Assert.Equal(3.0, Grad(parameters[0])[0], 5);
        Assert.Equal(0.0, GradientClipping.ClipByGlobalNorm([none], 1.0));
        parameters[0].Dispose();
    }
}
