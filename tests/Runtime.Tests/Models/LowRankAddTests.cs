using Peft.Kernels.Float32;
using Peft.Runtime.Models.Layers;
using Peft.Runtime.Tests.Models.Weights;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Models;

/// <summary>
/// A LoRA expand added in place (<see cref="FloatProducts.AddLowRank(Tensor, Tensor, Tensor, Tensor?)"/>) against an
/// independent float64 y + s · bᵀ within the float32 summation bound, reading the shared shrink's columns and the pool's
/// trimmed slots at their strides, and output rows by index; a row's result the same whatever the thread count and the
/// other rows; and refusing what the kernel does not take, so the caller keeps its libtorch product.
/// </summary>
public sealed class LowRankAddTests
{
    [Fact]
    public void Deltas_are_within_float_rounding_of_a_float64_reference()
    {
        if (!LowRankAvx512.IsSupported) return;   // the caller multiplies and adds with libtorch on such CPUs
        foreach (var (outputs, rank) in new[] { (16, 16), (37, 12), (1024, 16), (5, 1), (70, 33) })
            foreach (int n in new[] { 1, 3, 20 })
            {
                using var scope = NewDisposeScope();
                var generator = new TorchSharp.torch.Generator((ulong)(outputs * 7 + rank + n));
                // A shared shrink of three sites regrouped by site, [n, 3, rank], and a pool of 4 slots sized for a larger rank.
                var shrunk = randn([n, 3, rank], generator: generator);
                var pool = randn([4, outputs, rank + 5], generator: generator);
                var s = shrunk.select(1, 2);
                var b = pool.select(0, 3).narrow(1, 0, rank);
                var y = randn([n, outputs], generator: generator);
                var expected = y.to(ScalarType.Float64).add(s.to(ScalarType.Float64).matmul(b.to(ScalarType.Float64).t()));
                var bound = Int8Reference.KernelBound(s, b.to(ScalarType.Float64), y);
                Assert.True(FloatProducts.AddLowRank(y, s, b, null, threads: 2, minParallelBytes: 0));
                var error = y.to(ScalarType.Float64).sub(expected).abs();
                Assert.True(error.le(bound).all().item<bool>(), $"out {outputs}, rank {rank}, n {n}: max error {error.max().item<double>():E3}");
            }
    }

    [Fact]
    public void Rows_by_index_get_the_same_bits_as_alone_whatever_the_threads()
    {
        if (!LowRankAvx512.IsSupported) return;
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(3);
        var s = randn([5, 16], generator: generator);
        var b = randn([300, 16], generator: generator);
        var start = randn([9, 300], generator: generator);
        long[] rows = [7, 0, 4, 8, 2];

        var reference = start.clone();
        Assert.True(FloatProducts.AddLowRank(reference, s, b, tensor(rows), threads: 1, minParallelBytes: 0));
        foreach (int threads in new[] { 2, 3 })
        {
            var other = start.clone();
            Assert.True(FloatProducts.AddLowRank(other, s, b, tensor(rows), threads, minParallelBytes: 0));
            Assert.True(other.eq(reference).all().item<bool>(), $"{threads} threads");
        }
        for (int m = 0; m < rows.Length; m++)
        {
            var alone = start.narrow(0, rows[m], 1).clone();
            Assert.True(FloatProducts.AddLowRank(alone, s.narrow(0, m, 1), b, null, threads: 2, minParallelBytes: 0));
            Assert.True(alone.eq(reference.narrow(0, rows[m], 1)).all().item<bool>(), $"row {rows[m]} alone");
        }
        foreach (long untouched in new long[] { 1, 3, 5, 6 })
            Assert.True(reference[untouched].eq(start[untouched]).all().item<bool>(), $"row {untouched} is not in the index");
    }

    [Fact]
    public void What_the_kernel_does_not_take_is_refused_and_left_unchanged()
    {
        using var scope = NewDisposeScope();
        var s = randn([2, 8]);
        var b = randn([32, 8]);
        var y = randn([2, 32]);
        var before = y.clone();
        Assert.False(FloatProducts.AddLowRank(y, s.to(ScalarType.Float64), b.to(ScalarType.Float64)));     // not float32
        Assert.False(FloatProducts.AddLowRank(y, s, randn([32, 7])));                                       // ranks differ
        Assert.False(FloatProducts.AddLowRank(y, s, randn([31, 8])));                                       // outputs differ
        Assert.False(FloatProducts.AddLowRank(y, s, b.t().contiguous().t()));                               // columns not dense
        Assert.False(FloatProducts.AddLowRank(y, randn([2, LowRankAvx512.MaxRank + 1]), randn([32, LowRankAvx512.MaxRank + 1])));
        Assert.False(FloatProducts.AddLowRank(y, s, b, tensor(new long[] { 0, 1, 1 })));                    // one row per shrink row
        Assert.False(FloatProducts.AddLowRank(y, s, b, tensor(new long[] { 0, 2 })));                       // a row past the output
        Assert.False(FloatProducts.AddLowRank(y, s, b, tensor(new long[] { -1, 0 })));
        Assert.False(FloatProducts.AddLowRank(randn([32]).expand(2, 32), s, b));                            // rows that overlap
        Assert.False(FloatProducts.AddLowRank(y, s.clone().requires_grad_(true), b));                       // autograd records
        Assert.True(y.eq(before).all().item<bool>());
    }
}
