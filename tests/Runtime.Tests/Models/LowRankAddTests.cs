using Peft.Kernels.Float32;
using Peft.Runtime.Models.Layers;
using Peft.Runtime.Tests.Models.Weights;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Models;

/// <summary>
/// A LoRA expand added in place (<see cref="FloatProducts.AddLowRank(Tensor, Tensor, Tensor, Tensor?)"/>) against an
/// independent float64 y + s · bᵀ within the float32 summation bound, reading the shared shrink's columns and the pool's
/// trimmed slots at their strides (rank-major as the pool stores them, or as PEFT stores a factor: the same bits), and
/// output rows by index; a row's result the same whatever the thread count and the other rows; SGMV's grouped expand
/// giving each row what it gets alone; and refusing what the kernel does not take, so the caller keeps its libtorch
/// product.
/// </summary>
public sealed class LowRankAddTests
{
    [Fact]
    public void Deltas_are_within_float_rounding_of_a_float64_reference()
    {
        if (!LowRankAvx512.IsSupported) return;   // the caller multiplies and adds with libtorch on such CPUs
        foreach (var (outputs, rank) in new[] { (16, 16), (37, 12), (1024, 16), (5, 1), (70, 33) })
            foreach (int n in new[] { 1, 3, 20, 70 })
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
    public void A_prefill_chunk_gives_every_row_the_bits_it_gets_alone()
    {
        if (!LowRankAvx512.IsSupported) return;
        // A prefill run's rows (counts that leave one to three rows past the last four), outputs with and without a tail.
        foreach (var (outputs, rank) in new[] { (1024, 16), (200, 16), (2816, 8), (72, 33) })
            foreach (int n in new[] { 31, 32, 45, 70 })
            {
                using var scope = NewDisposeScope();
                var generator = new TorchSharp.torch.Generator((ulong)(outputs + 13 * rank + n));
                var s = randn([n, rank], generator: generator);
                var pool = randn([2, rank + 3, outputs], generator: generator);
                var b = pool.select(0, 1).narrow(0, 0, rank).t();   // the pool's rank-major slot, trimmed
                var start = randn([n, outputs], generator: generator);
                foreach (int threads in new[] { 1, 2, 3 })
                {
                    var all = start.clone();
                    Assert.True(FloatProducts.AddLowRank(all, s, b, null, threads, minParallelBytes: 0));
                    for (int m = 0; m < n; m++)
                    {
                        var alone = start.narrow(0, m, 1).clone();
                        Assert.True(FloatProducts.AddLowRank(alone, s.narrow(0, m, 1), b, null, threads: 1, minParallelBytes: 0));
                        Assert.True(alone.eq(all.narrow(0, m, 1)).all().item<bool>(), $"out {outputs}, rank {rank}, n {n}, {threads} threads: row {m}");
                    }
                }
            }
    }

    [Fact]
    public void A_rank_major_factor_gives_the_bits_of_the_same_factor_stored_by_output()
    {
        if (!LowRankAvx512.IsSupported) return;
        foreach (var (outputs, rank) in new[] { (64, 16), (1024, 16), (80, 8), (37, 12), (2816, 16), (5, 1) })
            foreach (int n in new[] { 1, 3, 6 })
            {
                using var scope = NewDisposeScope();
                var generator = new TorchSharp.torch.Generator((ulong)(outputs + 31 * rank + n));
                var s = randn([n, rank], generator: generator);
                var pool = randn([3, rank + 4, outputs], generator: generator);   // as the slot pool lies: [slots, r_max, out]
                var rankMajor = pool.select(0, 1).narrow(0, 0, rank).t();          // [out, rank], outputs dense
                var byOutput = rankMajor.contiguous();                              // [out, rank], ranks dense
                var start = randn([n, outputs], generator: generator);
                var (left, right) = (start.clone(), start.clone());
                Assert.True(FloatProducts.AddLowRank(left, s, rankMajor, null, threads: 2, minParallelBytes: 0));
                Assert.True(FloatProducts.AddLowRank(right, s, byOutput, null, threads: 1, minParallelBytes: 0));
                Assert.True(left.eq(right).all().item<bool>(), $"out {outputs}, rank {rank}, n {n}");
            }
    }

    [Fact]
    public void Grouped_rows_get_what_each_gets_alone_and_padding_and_other_rows_are_untouched()
    {
        if (!LowRankAvx512.IsSupported) return;
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(11);
        const int outputs = 200, rank = 8;
        var pool = randn([5, rank + 2, outputs], generator: generator).transpose(1, 2).narrow(2, 0, rank);   // the pool's view, trimmed
        long[] slots = [4, 0, 2];
        long[][] rows = [[6, 1], [3], [0, 7, 8]];
        var groups = new SlotRowGroups(slots, rows);
        var s = randn([3, 3, rank], generator: generator);   // [U, m, rank]: group 0 pads one row, group 1 two
        var start = randn([10, outputs], generator: generator);

        var reference = start.clone();
        Assert.True(FloatProducts.AddLowRankGroups(reference, s, pool, groups, threads: 1, minParallelBytes: 0));
        foreach (int threads in new[] { 2, 3 })
        {
            var other = start.clone();
            Assert.True(FloatProducts.AddLowRankGroups(other, s, pool, groups, threads, minParallelBytes: 0));
            Assert.True(other.eq(reference).all().item<bool>(), $"{threads} threads");
        }
        for (int u = 0; u < slots.Length; u++)
            for (int j = 0; j < rows[u].Length; j++)
            {
                var alone = start.narrow(0, rows[u][j], 1).clone();
                Assert.True(FloatProducts.AddLowRank(alone, s[u].narrow(0, j, 1), pool[slots[u]].contiguous(), null, threads: 1, minParallelBytes: 0));
                Assert.True(alone.eq(reference.narrow(0, rows[u][j], 1)).all().item<bool>(), $"group {u}, row {rows[u][j]}");
            }
        foreach (long untouched in new long[] { 2, 4, 5, 9 })
            Assert.True(reference[untouched].eq(start[untouched]).all().item<bool>(), $"row {untouched} is in no group");
    }

    [Fact]
    public void Grouped_rows_the_kernel_cannot_address_are_refused()
    {
        using var scope = NewDisposeScope();
        var pool = zeros([2, 8, 32]).transpose(1, 2);   // [2 slots, 32 out, rank 8]
        var s = randn([1, 2, 8]);
        var y = randn([4, 32]);
        var before = y.clone();
        Assert.False(FloatProducts.AddLowRankGroups(y, s, pool, new SlotRowGroups([2], [[0]])));            // no slot 2
        Assert.False(FloatProducts.AddLowRankGroups(y, s, pool, new SlotRowGroups([1], [[4]])));            // no row 4
        Assert.False(FloatProducts.AddLowRankGroups(y, s, pool, new SlotRowGroups([1], [[0, 1, 2]])));      // s holds two rows a group
        Assert.False(FloatProducts.AddLowRankGroups(y, s, pool, new SlotRowGroups([0, 1], [[0], [1]])));    // s holds one group
        Assert.False(FloatProducts.AddLowRankGroups(y, randn([1, 2, 7]), pool, new SlotRowGroups([1], [[0]])));   // ranks differ
        Assert.True(y.eq(before).all().item<bool>());
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
        Assert.False(FloatProducts.AddLowRank(y, s, randn([32, 8, 2]).select(2, 0)));                      // neither outputs nor ranks dense
        Assert.False(FloatProducts.AddLowRank(y, randn([2, LowRankAvx512.MaxRank + 1]), randn([32, LowRankAvx512.MaxRank + 1])));
        Assert.False(FloatProducts.AddLowRank(y, s, b, tensor(new long[] { 0, 1, 1 })));                    // one row per shrink row
        Assert.False(FloatProducts.AddLowRank(y, s, b, tensor(new long[] { 0, 2 })));                       // a row past the output
        Assert.False(FloatProducts.AddLowRank(y, s, b, tensor(new long[] { -1, 0 })));
        Assert.False(FloatProducts.AddLowRank(randn([32]).expand(2, 32), s, b));                            // rows that overlap
        Assert.False(FloatProducts.AddLowRank(y, s.clone().requires_grad_(true), b));                       // autograd records
        Assert.True(y.eq(before).all().item<bool>());
    }
}
