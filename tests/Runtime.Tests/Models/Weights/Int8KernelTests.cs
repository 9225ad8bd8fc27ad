using Peft.Kernels.Int8;
using Peft.Runtime.Models.Weights.Int8;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Models.Weights;

/// <summary>
/// Every CPU INT8 kernel this machine can run (forced one by one), on shapes with and without padding, against an
/// independent float64 reference of x Ŵᵀ: within the float32 summation bound, by both the kernel path (few rows) and
/// the dequantize-then-GEMM path (many rows); and against the float weights within the quantization bound. A row's
/// result must not depend on the thread count or on the other rows of its batch.
/// </summary>
public sealed class Int8KernelTests(ITestOutputHelper log)
{
    /// <summary>Instruction sets by name (the enum is internal); only those this CPU runs.</summary>
    public static TheoryData<string> Isas()
    {
        var data = new TheoryData<string>();
        foreach (var isa in Enum.GetValues<Int8Isa>())
            if (Int8IsaSupport.IsSupported(isa)) data.Add(isa.ToString());
        return data;
    }

    private static readonly (long Rows, long Columns)[] Shapes = [(4, 64), (5, 70), (33, 688), (130, 256), (7, 1)];

    [Theory]
    [MemberData(nameof(Isas))]
    public void Few_rows_run_the_int8_kernel_within_float_rounding_of_the_dequantized_product(string isaName)
    {
        var isa = Enum.Parse<Int8Isa>(isaName);
        foreach (var (rows, columns) in Shapes)
            foreach (int n in new[] { 1, 3, 7 })
            {
                using var scope = NewDisposeScope();
                var (weight, x, bias) = Inputs(rows, columns, n, seed: rows * 31 + columns + n);
                using var matrix = CpuInt8Matrix.Quantize(weight, new Int8CpuOptions { Isa = isa, Threads = 2, GemmRows = 1000, MinParallelBytes = 0 });
                var dense = Int8Reference.Dequantized(weight);
                var expected = Int8Reference.Product(x, dense).add(bias.to(ScalarType.Float64));
                var actual = matrix.Product(x, bias).to(ScalarType.Float64);
                var error = actual.sub(expected).abs();
                var bound = Int8Reference.KernelBound(x, dense, bias);
                Assert.True(error.le(bound).all().item<bool>(),
                    $"{isa} [{rows}x{columns}] n={n}: max error {error.max().item<double>():E3}, bound at worst {error.sub(bound).max().item<double>():E3} over");

                // Against the original float weights: the weights' own rounding on top.
                var exact = x.to(ScalarType.Float64).matmul(weight.to(ScalarType.Float64).t()).add(bias.to(ScalarType.Float64));
                var total = bound.add(Int8Reference.WeightRoundingBound(x, weight));
                Assert.True(actual.sub(exact).abs().le(total).all().item<bool>(), $"{isa} [{rows}x{columns}] n={n} against float weights");
            }
    }

    [Theory]
    [MemberData(nameof(Isas))]
    public void Many_rows_dequantize_blocks_for_libtorch_and_agree_with_the_int8_kernel_to_float_rounding(string isaName)
    {
        var isa = Enum.Parse<Int8Isa>(isaName);
        foreach (var (rows, columns) in Shapes)
        {
            using var scope = NewDisposeScope();
            var (weight, x, bias) = Inputs(rows, columns, 19, seed: rows + columns);
            // A small block so that several blocks (and a partial last one) are exercised.
            using var gemm = CpuInt8Matrix.Quantize(weight, new Int8CpuOptions { Isa = isa, Threads = 2, GemmRows = 8, GemmBlockBytes = 8 * 4 * columns });
            using var gemv = gemm.With(new Int8CpuOptions { Isa = isa, Threads = 2, GemmRows = 1000, MinParallelBytes = 0 });
            var dense = Int8Reference.Dequantized(weight);
            var expected = Int8Reference.Product(x, dense).add(bias.to(ScalarType.Float64));
            var actual = gemm.Product(x, bias).to(ScalarType.Float64);
            Assert.True(actual.sub(expected).abs().le(Int8Reference.KernelBound(x, dense, bias)).all().item<bool>(), $"{isa} [{rows}x{columns}] against the reference");
            var kernel = gemv.Product(x, bias).to(ScalarType.Float64);
            double scale = kernel.abs().max().item<double>() + 1;
            Assert.True(actual.sub(kernel).abs().max().item<double>() <= 1e-5 * scale, $"{isa} [{rows}x{columns}] GEMM against the INT8 kernel");
        }
    }

    [Theory]
    [MemberData(nameof(Isas))]
    public void A_rows_result_does_not_depend_on_the_thread_count_or_on_the_other_rows(string isaName)
    {
        var isa = Enum.Parse<Int8Isa>(isaName);
        using var scope = NewDisposeScope();
        var (weight, x, _) = Inputs(1000, 300, 5, seed: 3);
        using var one = CpuInt8Matrix.Quantize(weight, new Int8CpuOptions { Isa = isa, Threads = 1 });
        using var four = one.With(new Int8CpuOptions { Isa = isa, Threads = 4, MinParallelBytes = 0 });
        var together = four.Product(x, null);
        Assert.True(one.Product(x, null).eq(together).all().item<bool>());
        for (int m = 0; m < 5; m++)
            Assert.True(one.Product(x.narrow(0, m, 1), null).eq(together.narrow(0, m, 1)).all().item<bool>(), $"row {m} alone");
    }

    [Fact]
    public void Every_instruction_set_gives_the_same_products_to_float_rounding()
    {
        using var scope = NewDisposeScope();
        var (weight, x, bias) = Inputs(70, 700, 3, seed: 9);
        using var portable = CpuInt8Matrix.Quantize(weight, new Int8CpuOptions { Isa = Int8Isa.Portable });
        var reference = portable.Product(x, bias);
        foreach (var isa in Enum.GetValues<Int8Isa>().Where(Int8IsaSupport.IsSupported))
        {
            using var other = portable.With(new Int8CpuOptions { Isa = isa });
            var difference = other.Product(x, bias).sub(reference).abs().max().item<float>();
            log.WriteLine($"{isa}: max |difference| to the portable kernel {difference:E2}");
            Assert.True(difference <= 1e-5f * (reference.abs().max().item<float>() + 1), $"{isa}");
        }
        Assert.True(Int8IsaSupport.IsSupported(Int8IsaSupport.Best));
    }

    [Fact]
    public void Dequantized_rows_lookups_and_the_device_form_hold_exactly_the_quantizers_values()
    {
        using var scope = NewDisposeScope();
        var (weight, _, _) = Inputs(37, 130, 1, seed: 5);
        var expected = Int8Reference.Dequantized(weight).to(ScalarType.Float32);
        foreach (var isa in Enum.GetValues<Int8Isa>().Where(Int8IsaSupport.IsSupported))
        {
            using var cpu = CpuInt8Matrix.Quantize(weight, new Int8CpuOptions { Isa = isa });
            Assert.True(cpu.ToDense(ScalarType.Float32).eq(expected).all().item<bool>(), $"{isa} dense");
            var ids = tensor(new long[] { 36, 0, 5, 5 });
            Assert.True(cpu.Lookup(ids, ScalarType.Float32).eq(expected.index_select(0, ids)).all().item<bool>(), $"{isa} lookup");
            Assert.Equal([("int8", 40L * 192), ("float32", 40L * 4)], cpu.ResidentBytes());
        }
        using var device = TorchInt8Matrix.Quantize(weight);
        Assert.True(device.ToDense(ScalarType.Float32).eq(expected).all().item<bool>());
        Assert.Throws<ArgumentOutOfRangeException>(() => CpuInt8Matrix.Quantize(weight, new Int8CpuOptions()).Lookup(tensor(new long[] { 37 }), ScalarType.Float32));
    }

    [Fact]
    public void Quantization_is_symmetric_per_row_and_keeps_zero_rows_and_the_row_maximum_exact()
    {
        using var scope = NewDisposeScope();
        var weight = tensor(new float[] { 0, 0, 0, 0, 1.27f, -0.635f, 0.001f, -1.27f }).view(2, 4);
        var (values, scales) = Int8Quantizer.Quantize(weight);
        Assert.Equal(new float[] { 0, 0.01f }, scales.data<float>().ToArray());
        Assert.Equal(new sbyte[] { 0, 0, 0, 0, 127, -64, 0, -127 }, values.data<sbyte>().ToArray());
    }

    [Fact]
    public void Gradients_reach_the_input_through_the_dequantized_weights_and_never_the_weights()
    {
        using var scope = NewDisposeScope();
        var (weight, x, bias) = Inputs(12, 80, 4, seed: 8);
        var dense = Int8Reference.Dequantized(weight).to(ScalarType.Float32);
        foreach (var matrix in new Int8Matrix[] { CpuInt8Matrix.Quantize(weight, new Int8CpuOptions()), TorchInt8Matrix.Quantize(weight) })
        {
            using (matrix)
            {
                var input = x.detach().requires_grad_(true);
                var upstream = randn(4, 12, generator: new TorchSharp.torch.Generator(4));
                matrix.Linear(input, bias).mul(upstream).sum().backward();
                var expected = upstream.matmul(dense);
                Assert.True(input.grad!.allclose(expected, rtol: 1e-5, atol: 1e-6), matrix.GetType().Name);
            }
        }
    }

    private static (Tensor Weight, Tensor X, Tensor Bias) Inputs(long rows, long columns, long n, long seed)
    {
        var generator = new TorchSharp.torch.Generator((ulong)seed);
        var weight = randn([rows, columns], generator: generator).mul(0.05);
        // Activations with a few large columns, as real hidden states have.
        var x = randn([n, columns], generator: generator);
        x.index_fill_(1, tensor(new long[] { 0, columns / 2 }), 20.0);
        var bias = randn([rows], generator: generator);
        return (weight, x, bias);
    }
}
