using Peft.Kernels.Float32;
using Peft.Runtime.Models.Layers;
using Peft.Runtime.Tests.Models.Weights;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Models;

/// <summary>
/// The float32 product kernel against an independent float64 x Wᵀ + b within the float32 summation bound, on shapes
/// with short last tiles and column tails; a row's result bit for bit the same whatever the thread count, the block
/// size and the other rows of its batch; and the libtorch path kept for whatever autograd must see.
/// </summary>
public sealed class FloatProductTests
{
    // (203, 40): more tiles than one panel of the kernel, the last tile short. (9, 1560) and (45, 3100): rows wide
    // enough to go in spans of columns (two, and four over several panels), with a column tail past the last span.
    private static readonly (long Rows, long Columns)[] Shapes = [(4, 64), (5, 70), (33, 688), (130, 256), (203, 40), (7, 1), (1, 17), (3, 16), (9, 1560), (45, 3100)];

    [Fact]
    public void Products_are_within_float_rounding_of_a_float64_reference()
    {
        if (!ProductAvx512.IsSupported) return;   // libtorch multiplies on such CPUs; nothing of ours to check
        foreach (var (rows, columns) in Shapes)
            foreach (int n in new[] { 1, 3, 4, 6, 9, 10, 32 })   // fours, sixes, both, a single row left over
                foreach (bool withBias in new[] { false, true })
                {
                    using var scope = NewDisposeScope();
                    var (weight, x, bias) = Inputs(rows, columns, n, seed: rows * 31 + columns + n);
                    var b = withBias ? bias : null;
                    var actual = FloatProducts.Product(x, weight, b, threads: 2, blockRows: 256, minParallelBytes: 0).to(ScalarType.Float64);
                    var expected = x.to(ScalarType.Float64).matmul(weight.to(ScalarType.Float64).t());
                    if (b is not null) expected = expected.add(b.to(ScalarType.Float64));
                    var error = actual.sub(expected).abs();
                    var bound = Int8Reference.KernelBound(x, weight.to(ScalarType.Float64), b);
                    Assert.True(error.le(bound).all().item<bool>(),
                        $"[{rows}x{columns}] n={n} bias={withBias}: max error {error.max().item<double>():E3}, bound at worst {error.sub(bound).max().item<double>():E3} over");
                }
    }

    [Fact]
    public void A_rows_result_does_not_depend_on_threads_blocks_or_the_other_rows()
    {
        if (!ProductAvx512.IsSupported) return;
        foreach (var (rows, columns) in Shapes)
        {
            using var scope = NewDisposeScope();
            // 37 rows: with few weight tiles the threads also split the rows, 16 at a time, the last group short.
            var (weight, x, bias) = Inputs(rows, columns, 37, seed: rows + columns);
            var reference = FloatProducts.Product(x, weight, bias, threads: 1, blockRows: 256, minParallelBytes: 0);
            foreach (var (threads, block) in new[] { (2, 256), (3, 256), (2, 1), (2, 5), (1, 4) })
            {
                var other = FloatProducts.Product(x, weight, bias, threads, block, minParallelBytes: 0);
                Assert.True(Same(other, reference), $"[{rows}x{columns}] {threads} threads, blocks of {block}");
            }
            for (long m = 0; m < x.shape[0]; m++)
            {
                var alone = FloatProducts.Product(x.narrow(0, m, 1), weight, bias, threads: 2, blockRows: 256, minParallelBytes: 0);
                Assert.True(Same(alone, reference.narrow(0, m, 1)), $"[{rows}x{columns}] row {m} alone");
            }
        }
    }

    [Fact]
    public void Rows_at_a_stride_and_grouped_products_read_each_slot_in_place()
    {
        if (!ProductAvx512.IsSupported) return;
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(9);
        // A pool of 5 slots trimmed to rank 12 of 16, as the LoRA lane reads it: B [slots, out, rank] with rows 16 apart.
        var pool = randn([5, 37, 16], generator: generator);
        var trimmed = pool.narrow(2, 0, 12);
        var h = randn([3, 12], generator: generator);
        Assert.True(FloatProducts.Applies(h, trimmed[2], null));
        var expected = h.to(ScalarType.Float64).matmul(trimmed[2].to(ScalarType.Float64).t());
        var alone = FloatProducts.Product(h, trimmed[2], null);
        Assert.True(alone.to(ScalarType.Float64).sub(expected).abs().le(Int8Reference.KernelBound(h, trimmed[2].to(ScalarType.Float64))).all().item<bool>(), "one slot, rows at a stride");

        // SGMV: slots 1..3 (a view of the pool), two rows each, the same as each slot alone.
        var x = randn([3, 2, 12], generator: generator);
        var slots = trimmed.narrow(0, 1, 3);
        var grouped = FloatProducts.Grouped(x, slots)!;
        Assert.Equal([3L, 2, 37], grouped.shape);
        for (int u = 0; u < 3; u++)
            Assert.True(Same(grouped[u], FloatProducts.Product(x[u], slots[u], null, threads: 1, blockRows: 256, minParallelBytes: 0)), $"group {u}");
        var reference = x.to(ScalarType.Float64).bmm(slots.to(ScalarType.Float64).transpose(1, 2));
        Assert.True(grouped.to(ScalarType.Float64).allclose(reference, rtol: 1e-5, atol: 1e-5), "against bmm");

        // The same products with the slots named by index (out of order, not a range): read in place, no gather.
        long[] picked = [4, 0, 2];
        var indexed = FloatProducts.Grouped(x, trimmed, picked)!;
        var gathered = trimmed.index_select(0, tensor(picked));
        for (int u = 0; u < 3; u++)
            Assert.True(Same(indexed[u], FloatProducts.Product(x[u], gathered[u], null, threads: 1, blockRows: 256, minParallelBytes: 0)), $"slot {picked[u]}");
        Assert.Null(FloatProducts.Grouped(x, trimmed, [0, 5, 1]));   // a slot past the pool
        Assert.Null(FloatProducts.Grouped(x, trimmed, [0, 1]));      // one index per group

        Assert.Null(FloatProducts.Grouped(x.to(ScalarType.Float64), slots.to(ScalarType.Float64)));
        Assert.Null(FloatProducts.Grouped(x, randn([3, 12, 7], generator: generator).transpose(1, 2)));   // columns not dense
    }

    [Fact]
    public void Linears_keep_libtorch_where_autograd_records_and_use_the_kernel_where_it_does_not()
    {
        using var scope = NewDisposeScope();
        var (weight, x, bias) = Inputs(8, 32, 2, seed: 5);
        Assert.Equal(ProductAvx512.IsSupported, FloatProducts.Applies(x, weight, bias));

        var trained = x.clone().requires_grad_(true);
        Assert.False(FloatProducts.Applies(trained, weight, bias));
        Linears.Apply(trained, weight, bias).sum().backward();
        Assert.True(trained.grad is not null && trained.grad.allclose(weight.sum([0L]).expand(2, 32), rtol: 1e-4, atol: 1e-5), "the input gradient flows through libtorch");
        using (no_grad()) Assert.Equal(ProductAvx512.IsSupported, FloatProducts.Applies(trained, weight, bias));

        Assert.False(FloatProducts.Applies(x.to(ScalarType.Float64), weight.to(ScalarType.Float64), null));
        Assert.False(FloatProducts.Applies(x, weight.t().contiguous().t(), null));   // a transposed view: not row-major
        Assert.False(FloatProducts.Applies(x.narrow(0, 0, 0), weight, null));
        var strided = x.t().contiguous().t();   // a non-contiguous input is copied, not refused
        Assert.Equal(ProductAvx512.IsSupported, FloatProducts.Applies(strided, weight, null));
        if (ProductAvx512.IsSupported)
            Assert.True(Same(FloatProducts.Product(strided, weight, null), FloatProducts.Product(x, weight, null)));
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    private static (Tensor Weight, Tensor X, Tensor Bias) Inputs(long rows, long columns, long n, long seed)
    {
        var generator = new TorchSharp.torch.Generator((ulong)seed);
        return (randn([rows, columns], generator: generator), randn([n, columns], generator: generator), randn([rows], generator: generator));
    }
}
