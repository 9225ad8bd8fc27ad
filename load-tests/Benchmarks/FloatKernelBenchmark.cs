using Peft.LoadTests.Synthetic;
using Peft.Runtime.Models.Layers;
using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.LoadTests.Benchmarks;

/// <summary>
/// The float32 product kernel alone at the bench model's shapes (random weights on huge pages, as the model keeps
/// its own), to tell its arithmetic from its memory traffic. For each distinct shape, a product is timed two ways
/// taking turns: <em>hot</em>, one matrix again and again (in cache after the first), and <em>streamed</em>, the
/// model's matrices of that shape in turn (each read from memory, as a step reads them); the gap is what waiting on
/// memory costs. Then one pass over every block linear and the head, as a decode step runs them. Medians.
/// </summary>
internal sealed class FloatKernelBenchmark : IDisposable
{
    private const int ProductsPerTiming = 16;

    private readonly FloatKernelSettings _settings;
    private readonly TextWriter _log;
    private readonly ModelShape _shape;
    private readonly List<Tensor> _linears = [];
    private readonly Tensor _head;

    public FloatKernelBenchmark(ModelShape shape, FloatKernelSettings settings, TextWriter log)
    {
        (_settings, _log, _shape) = (settings, log, shape);
        using var generator = new Generator(7);
        using var std = 0.02.ToScalar();
        Tensor Matrix(long rows, long columns)
        {
            var w = randn([rows, columns], generator: generator).mul_(std).DetachFromDisposeScope();
            HugePages.Advise(w);
            return w;
        }
        foreach (var (_, _, inFeatures, outFeatures) in shape.Linears()) _linears.Add(Matrix(outFeatures, inFeatures));
        _head = Matrix(shape.Vocab, shape.Hidden);
    }

    public IEnumerable<FloatKernelRow> Run()
    {
        foreach (int n in _settings.Rows)
        {
            foreach (var shapeGroup in _linears.GroupBy(w => (Out: w.size(0), In: w.size(1))))
            {
                var matrices = shapeGroup.ToArray();
                using var x = randn(n, shapeGroup.Key.In);
                var (hot, streamed) = (new List<double>(), new List<double>());
                for (int rep = 0; rep < _settings.Warmup + _settings.Repetitions; rep++)
                {
                    double h = PerProduct(x, i => matrices[0]);
                    double s = PerProduct(x, i => matrices[i % matrices.Length]);
                    if (rep < _settings.Warmup) continue;
                    hot.Add(h);
                    streamed.Add(s);
                }
                yield return Report(new FloatKernelRow(n, $"{shapeGroup.Key.Out} x {shapeGroup.Key.In}", shapeGroup.Key.Out * shapeGroup.Key.In,
                    Timing.Median(hot) * 1e6, Timing.Median(streamed) * 1e6));
            }
            yield return Report(WholePass(n));
        }
        if (_settings.LoraSlots > 0)
            foreach (var row in LoraLane(_settings.LoraSlots)) yield return Report(row);
    }

    /// <summary>
    /// Workload c's slot lane: <see cref="FloatKernelSettings.LoraRows"/> rows (one: decode; more: a prefill chunk) on
    /// each of that many slots (no hot figure; the GFLOP/s column counts one row per factor); with
    /// <see cref="FloatKernelSettings.LoraProducts"/>, then among the block linears above, against them alone (the
    /// Weights column counts the base weights, so GFLOP/s is the base products' alone). One pool serves both.
    /// </summary>
    private IEnumerable<FloatKernelRow> LoraLane(int slots)
    {
        int rows = _settings.LoraRows;
        string each = rows == 1 ? "one row each" : $"{rows} rows each";
        using var lane = new LoraLaneBenchmark(_shape, slots, rows);
        var (fused, parts) = lane.Steps(_settings.Repetitions, _settings.Warmup);
        yield return new FloatKernelRow(rows, $"LoRA lane, {slots} slots of rank 16, {each}", lane.Elements, double.NaN, Timing.Median(fused) * 1e6);
        yield return new FloatKernelRow(rows, $"LoRA lane as parts, {slots} slots of rank 16, {each}", lane.Elements, double.NaN, Timing.Median(parts) * 1e6);
        if (!_settings.LoraProducts) yield break;
        var (alone, withFused, withParts) = lane.WithProducts(_linears, _settings.Repetitions, _settings.Warmup);
        long weights = _linears.Sum(w => w.numel());
        yield return new FloatKernelRow(slots * rows, "block linears alone", weights, double.NaN, Timing.Median(alone) * 1e6);
        yield return new FloatKernelRow(slots * rows, $"block linears + LoRA lane ({slots} slots, {each})", weights, double.NaN, Timing.Median(withFused) * 1e6);
        yield return new FloatKernelRow(slots * rows, $"block linears + LoRA lane as parts ({slots} slots, {each})", weights, double.NaN, Timing.Median(withParts) * 1e6);
    }

    private FloatKernelRow WholePass(int n)
    {
        var inputs = _linears.Append(_head).Select(w => w.size(1)).Distinct().ToDictionary(c => c, c => randn(n, c).DetachFromDisposeScope());
        var times = new List<double>();
        for (int rep = 0; rep < _settings.Warmup + _settings.Repetitions; rep++)
        {
            double t = Timing.Seconds(() =>
            {
                foreach (var w in _linears.Append(_head))
                {
                    using var y = Product(inputs[w.size(1)], w);
                }
            });
            if (rep >= _settings.Warmup) times.Add(t);
        }
        foreach (var x in inputs.Values) x.Dispose();
        long weights = _linears.Append(_head).Sum(w => w.numel());
        return new FloatKernelRow(n, "every linear and the head", weights, double.NaN, Timing.Median(times) * 1e6);
    }

    private double PerProduct(Tensor x, Func<int, Tensor> weight) =>
        Timing.Seconds(() =>
        {
            for (int i = 0; i < ProductsPerTiming; i++)
            {
                using var y = Product(x, weight(i));
            }
        }) / ProductsPerTiming;

    private Tensor Product(Tensor x, Tensor w) =>
        FloatProducts.Product(x, w, null, _settings.Threads, FloatProducts.BlockRows, minParallelBytes: 128 << 10);

    private FloatKernelRow Report(FloatKernelRow row)
    {
        string hot = double.IsNaN(row.HotUs) ? "" : $"hot {row.HotUs:0} us ({row.HotGflops:0} GFLOP/s), ";
        _log.WriteLine($"  rows {row.Rows}, {row.Shape}: {hot}streamed {row.StreamedUs:0} us ({row.StreamedGflops:0} GFLOP/s, {row.StreamedGBps:0.0} GB/s)");
        return row;
    }

    public void Dispose()
    {
        foreach (var w in _linears) w.Dispose();
        _head.Dispose();
    }
}

internal sealed record FloatKernelSettings
{
    public IReadOnlyList<int> Rows { get; init; } = [1, 32, 256];
    public int Threads { get; init; } = Environment.ProcessorCount;
    public int Repetitions { get; init; } = 7;
    public int Warmup { get; init; } = 1;

    /// <summary>Slots of the LoRA lane's step (0 skips it).</summary>
    public int LoraSlots { get; init; } = 32;

    /// <summary>Rows of each slot in the LoRA lane's step: one as in a decode step, more as a prefill chunk.</summary>
    public int LoraRows { get; init; } = 1;

    /// <summary>Also the lane among the block's base products: the products alone and with the lane, in turns.</summary>
    public bool LoraProducts { get; init; }
}

/// <summary>Microseconds per product (or per pass, for the whole step's matmuls, which has no hot figure).</summary>
internal sealed record FloatKernelRow(int Rows, string Shape, long Weights, double HotUs, double StreamedUs)
{
    public double HotGflops => 2.0 * Rows * Weights / (HotUs * 1e3);

    public double StreamedGflops => 2.0 * Rows * Weights / (StreamedUs * 1e3);

    public double StreamedGBps => Weights * 4.0 / (StreamedUs * 1e3);
}
