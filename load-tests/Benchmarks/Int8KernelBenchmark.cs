using Peft.Kernels.Int8;
using Peft.LoadTests.Synthetic;
using Peft.Runtime.Models.Weights;
using Peft.Runtime.Models.Weights.Int8;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.LoadTests.Benchmarks;

/// <summary>
/// The base model's matmuls alone, at the bench model's shapes (every block linear and the head, random weights):
/// one pass over all of them with n activation rows, in float32 through libtorch and in INT8 through each of its two
/// paths (the kernel, and dequantized blocks through libtorch's GEMM). A pass reads every matrix once, far more bytes
/// than the caches hold, so small n measures how fast weights stream from memory. Variants take turns repetition by
/// repetition; medians.
/// </summary>
internal sealed class Int8KernelBenchmark(ModelShape shape, Int8KernelSettings settings, TextWriter log) : IDisposable
{
    private readonly List<(Tensor Dense, CpuInt8Matrix Kernel, CpuInt8Matrix Gemm)> _matrices = Build(shape, settings);

    private static List<(Tensor, CpuInt8Matrix, CpuInt8Matrix)> Build(ModelShape shape, Int8KernelSettings settings)
    {
        var shapes = shape.Linears().Select(l => ((long)l.Out, (long)l.In)).Append((shape.Vocab, shape.Hidden));
        var generator = new Generator(7);
        using var std = 0.02.ToScalar();
        var list = new List<(Tensor, CpuInt8Matrix, CpuInt8Matrix)>();
        foreach (var (rows, columns) in shapes)
        {
            var dense = randn([rows, columns], generator: generator).mul_(std).DetachFromDisposeScope();
            var kernel = CpuInt8Matrix.Quantize(dense, new Int8CpuOptions { Threads = settings.Threads, GemmRows = int.MaxValue });
            list.Add((dense, kernel, kernel.With(new Int8CpuOptions { Threads = settings.Threads, GemmRows = 1 })));
        }
        return list;
    }

    public IEnumerable<Int8KernelRow> Run()
    {
        long parameters = _matrices.Sum(m => m.Dense.shape[0] * m.Dense.shape[1]);
        foreach (int n in settings.Rows)
        {
            var inputs = _matrices.Select(m => m.Dense.shape[1]).Distinct().ToDictionary(c => c, c => randn(n, c).DetachFromDisposeScope());
            var times = new List<double>[3];
            for (int v = 0; v < 3; v++) times[v] = [];
            for (int rep = 0; rep < settings.Warmup + settings.Repetitions; rep++)
            {
                double dense = Pass(inputs, m => inputs[m.Dense.shape[1]].matmul(m.Dense.t()));
                double kernel = Pass(inputs, m => m.Kernel.Product(inputs[m.Dense.shape[1]], null));
                double gemm = Pass(inputs, m => m.Gemm.Product(inputs[m.Dense.shape[1]], null));
                if (rep < settings.Warmup) continue;
                times[0].Add(dense);
                times[1].Add(kernel);
                times[2].Add(gemm);
            }
            foreach (var x in inputs.Values) x.Dispose();
            var row = new Int8KernelRow(n, settings.Threads, parameters, Timing.Median(times[0]) * 1e3, Timing.Median(times[1]) * 1e3, Timing.Median(times[2]) * 1e3);
            log.WriteLine($"  rows {n}: float32 {row.FloatMs:0.00} ms ({row.FloatGBps:0.0} GB/s), int8 kernel {row.KernelMs:0.00} ms ({row.KernelGBps:0.0} GB/s), " +
                $"int8 GEMM path {row.GemmMs:0.00} ms; float/int8 kernel {row.FloatMs / row.KernelMs:0.00}x");
            yield return row;
        }
    }

    private double Pass(Dictionary<long, Tensor> inputs, Func<(Tensor Dense, CpuInt8Matrix Kernel, CpuInt8Matrix Gemm), Tensor> product)
    {
        using var scope = NewDisposeScope();
        _ = inputs;
        return Timing.Seconds(() =>
        {
            foreach (var m in _matrices)
            {
                using var y = product(m);
            }
        });
    }

    public void Dispose()
    {
        foreach (var (dense, kernel, gemm) in _matrices)
        {
            dense.Dispose();
            kernel.Dispose();
            gemm.Dispose();
        }
    }
}

internal sealed record Int8KernelSettings
{
    public IReadOnlyList<int> Rows { get; init; } = [1, 2, 4, 8, 16, 32, 64];
    public int Threads { get; init; } = Environment.ProcessorCount;
    public int Repetitions { get; init; } = 7;
    public int Warmup { get; init; } = 1;
}

/// <summary>One pass over every matmul of the bench model, in milliseconds (medians).</summary>
internal sealed record Int8KernelRow(int Rows, int Threads, long Parameters, double FloatMs, double KernelMs, double GemmMs)
{
    public double FloatGBps => Parameters * 4.0 / (FloatMs * 1e6);

    public double KernelGBps => Parameters * 1.0 / (KernelMs * 1e6);
}
