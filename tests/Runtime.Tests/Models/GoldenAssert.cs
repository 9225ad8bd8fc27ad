using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Models;

internal static class GoldenAssert
{
    /// <summary>The fixtures' README: a float32 implementation matches every stored logit to about 1e-4.</summary>
    public const double LogitTolerance = 1e-4;

    /// <summary>Compare a greedy token only where the reference's top-2 gap clearly exceeds our error.</summary>
    public const double MarginForTokens = 2e-4;

    /// <returns>The largest absolute difference (for reports).</returns>
    public static double Close(Tensor expected, Tensor actual, string what, double tolerance = LogitTolerance)
    {
        Assert.Equal(expected.shape, actual.shape);
        double diff = (expected - actual.to(expected.dtype).cpu()).abs().max().item<float>();
        Assert.True(diff <= tolerance, $"{what}: max |diff| {diff:E3} > {tolerance:E1}");
        return diff;
    }

    /// <summary>Greedy tokens equal up to the first step whose reference margin is a near-tie.</summary>
    public static void SameGreedy(IReadOnlyList<int> expected, IReadOnlyList<double> margins, IReadOnlyList<int> actual, string what)
    {
        for (int i = 0; i < expected.Count; i++)
        {
            if (margins[i] <= MarginForTokens) return;
            Assert.True(expected[i] == actual[i], $"{what}: step {i} expected token {expected[i]}, got {actual[i]}");
        }
    }
}
