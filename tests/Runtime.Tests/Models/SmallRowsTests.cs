using Peft.Runtime.Models.Config;
using Peft.Runtime.Models.Layers;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Models;

/// <summary>The in-place row kernels compute what the tensor formulas compute, and step aside where they must.</summary>
public sealed class SmallRowsTests
{
    [Theory]
    [InlineData(1, 1024)]
    [InlineData(7, 96)]
    [InlineData(32, 2048)]
    public void Rms_norm_of_few_rows_matches_the_formula(long rows, long columns)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var x = randn(rows, columns).mul_(3);
        var weight = rand(columns).add_(0.5);
        var small = SmallRows.Rms(x, weight, 1e-5);

        Assert.NotNull(small);
        // Only the sum of squares is summed in another order: the scale can differ by an ulp, so the rows by about 1e-7.
        GoldenAssert.Close(Norms.RmsFormula(x, weight, 1e-5), small, $"{rows} × {columns}", 1e-5);
    }

    [Theory]
    [InlineData(1, 16, 64)]
    [InlineData(3, 4, 16)]
    [InlineData(5, 2, 128)]
    public void Rotary_embedding_of_few_rows_equals_the_formula_bit_for_bit(long tokens, long heads, long dim)
    {
        using var scope = NewDisposeScope();
        using var rope = new RotaryEmbedding((int)dim, new RopeConfig(10000, null), CPU);
        var x = randn(tokens, heads, dim);
        var (cos, sin) = rope.Angles(arange(tokens).add_(40), ScalarType.Float32);
        var small = SmallRows.RotateHalf(x, cos, sin);

        Assert.NotNull(small);
        var formula = RotaryEmbedding.ApplyFormula(x, cos, sin);
        Assert.True(formula.eq(small).all().item<bool>(), $"max difference {formula.sub(small).abs().max().item<float>()} at {formula.sub(small).abs().argmax().item<long>()}");
    }

    [Fact]
    public void Inputs_the_kernels_do_not_cover_keep_the_tensor_formula()
    {
        using var scope = NewDisposeScope();
        var weight = ones(64);
        Assert.Null(SmallRows.Rms(randn(2, 64).requires_grad_(), weight, 1e-6));                       // autograd must see it
        using (no_grad()) Assert.NotNull(SmallRows.Rms(randn(2, 64).requires_grad_(), weight, 1e-6)); // unless it records nothing
        Assert.Null(SmallRows.Rms(randn(2, 64, ScalarType.Float64), weight, 1e-6));                    // another dtype
        Assert.Null(SmallRows.Rms(randn(64, 2).t(), weight, 1e-6));                                     // not contiguous
        Assert.Null(SmallRows.Rms(randn(SmallRows.MaxElements / 64 + 1, 64), weight, 1e-6));           // large: libtorch's threads
        Assert.Null(SmallRows.Rms(randn(2, 64), ones(32), 1e-6));                                      // weight of another width

        var angles = randn(2, 1, 8);
        Assert.Null(SmallRows.RotateHalf(randn(2, 3, 8).requires_grad_(), angles, angles));
        Assert.Null(SmallRows.RotateHalf(randn(2, 3, 8, ScalarType.BFloat16), angles, angles));
        Assert.Null(SmallRows.RotateHalf(randn(2, 3, 8), randn(3, 1, 8), randn(3, 1, 8)));             // angles of other tokens
    }
}
