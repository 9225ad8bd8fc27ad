using Peft.Runtime.Models.Config;
using Peft.Runtime.Models.Layers;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Models;

/// <summary>The in-place row kernels compute what the tensor formulas compute, and step aside where they must.</summary>
public sealed class FloatRowsTests
{
    [Theory]
    [InlineData(1, 1024)]
    [InlineData(7, 96)]
    [InlineData(32, 2048)]
    [InlineData(128, 1024)]   // a prefill chunk: split over the threads
    [InlineData(300, 33)]
    public void Rms_norm_matches_the_formula(long rows, long columns)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var x = randn(rows, columns).mul_(3);
        var weight = rand(columns).add_(0.5);
        var normed = FloatRows.Rms(x, weight, 1e-5);

        Assert.NotNull(normed);
        // Only the sum of squares is summed in another order: the scale can differ by an ulp, so the rows by about 1e-7.
        GoldenAssert.Close(Norms.RmsFormula(x, weight, 1e-5), normed, $"{rows} × {columns}", 1e-5);
    }

    [Theory]
    [InlineData(1, 16, 64)]
    [InlineData(3, 4, 16)]
    [InlineData(5, 2, 128)]
    [InlineData(128, 16, 64)]   // a prefill chunk: split over the threads
    [InlineData(40, 3, 40)]     // half a head is no whole vector
    public void Rotary_embedding_equals_the_formula_bit_for_bit(long tokens, long heads, long dim)
    {
        using var scope = NewDisposeScope();
        using var rope = new RotaryEmbedding((int)dim, new RopeConfig(10000, null), CPU);
        var x = randn(tokens, heads, dim);
        var (cos, sin) = rope.Angles(arange(tokens).add_(40), ScalarType.Float32);
        var rotated = FloatRows.RotateHalf(x, cos, sin);

        Assert.NotNull(rotated);
        var formula = RotaryEmbedding.ApplyFormula(x, cos, sin);
        Assert.True(formula.eq(rotated).all().item<bool>(), $"max difference {formula.sub(rotated).abs().max().item<float>()} at {formula.sub(rotated).abs().argmax().item<long>()}");
    }

    [Theory]
    [InlineData(1, 2816)]
    [InlineData(128, 2816)]   // a prefill chunk: split over the threads
    [InlineData(9, 37)]       // a row that ends past the last whole vector
    public void Gated_product_matches_the_formula(long rows, long columns)
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        var gate = randn(rows, columns).mul_(4);
        var up = randn(rows, columns);
        var fused = FloatRows.SiluProduct(gate, up);

        Assert.NotNull(fused);
        // Only the exponential is another implementation's (within an ulp or two of libtorch's).
        GoldenAssert.Close(nn.functional.silu(gate).mul(up), fused, $"{rows} × {columns}", 1e-5);
    }

    [Fact]
    public void A_row_comes_out_the_same_alone_as_among_many()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var rope = new RotaryEmbedding(64, new RopeConfig(10000, null), CPU);
        long tokens = FloatRows.MinParallelElements / 1024 * 2;
        var x = randn(tokens, 1024).mul_(2);
        var weight = rand(1024).add_(0.5);
        var heads = x.view(tokens, 16, 64);
        var (cos, sin) = rope.Angles(arange(tokens), ScalarType.Float32);

        var norms = FloatRows.Rms(x, weight, 1e-6)!;
        var gated = FloatRows.SiluProduct(x, weight.expand(tokens, 1024).contiguous())!;
        var rotated = FloatRows.RotateHalf(heads, cos, sin)!;
        foreach (long t in new[] { 0L, 1, tokens / 2, tokens - 1 })
        {
            Assert.True(norms[t].eq(FloatRows.Rms(x.narrow(0, t, 1), weight, 1e-6)![0]).all().item<bool>(), $"norm of row {t}");
            Assert.True(gated[t].eq(FloatRows.SiluProduct(x.narrow(0, t, 1), weight.unsqueeze(0))![0]).all().item<bool>(), $"gated product of row {t}");
            Assert.True(rotated[t].eq(FloatRows.RotateHalf(heads.narrow(0, t, 1), cos.narrow(0, t, 1), sin.narrow(0, t, 1))![0]).all().item<bool>(), $"rotation of row {t}");
        }
    }

    [Fact]
    public void Inputs_the_kernels_do_not_cover_keep_the_tensor_formula()
    {
        using var scope = NewDisposeScope();
        var weight = ones(64);
        Assert.Null(FloatRows.Rms(randn(2, 64).requires_grad_(), weight, 1e-6));                       // autograd must see it
        using (no_grad()) Assert.NotNull(FloatRows.Rms(randn(2, 64).requires_grad_(), weight, 1e-6)); // unless it records nothing
        Assert.Null(FloatRows.Rms(randn(2, 64, ScalarType.Float64), weight, 1e-6));                    // another dtype
        Assert.Null(FloatRows.Rms(randn(64, 2).t(), weight, 1e-6));                                     // not contiguous
        Assert.Null(FloatRows.Rms(randn(2, 64), ones(32), 1e-6));                                      // weight of another width

        Assert.Null(FloatRows.SiluProduct(randn(2, 64).requires_grad_(), randn(2, 64)));                // autograd must see it
        Assert.Null(FloatRows.SiluProduct(randn(2, 64), randn(2, 32)));                                 // shapes differ
        Assert.Null(FloatRows.SiluProduct(randn(2, 64), randn(64, 2).t()));                             // not contiguous

        var angles = randn(2, 1, 8);
        Assert.Null(FloatRows.RotateHalf(randn(2, 3, 8).requires_grad_(), angles, angles));
        Assert.Null(FloatRows.RotateHalf(randn(2, 3, 8, ScalarType.BFloat16), angles, angles));
        Assert.Null(FloatRows.RotateHalf(randn(2, 3, 8), randn(3, 1, 8), randn(3, 1, 8)));             // angles of other tokens
    }
}
