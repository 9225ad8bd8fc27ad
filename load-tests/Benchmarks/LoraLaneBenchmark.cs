using Peft.LoadTests.Synthetic;
using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Models;
using Peft.Runtime.Models.Layers;
using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.LoadTests.Benchmarks;

/// <summary>
/// The slot lane of a step alone: one row per adapter (a decode step; or a run of rows each, a prefill chunk per
/// adapter), every run on a different slot of a pool of rank-16 LoRAs over all seven sites of every block (workload
/// c's step), through <see cref="AdapterBatch.AfterLinear"/> site by site as the model calls it. Each slot's factors
/// are read once a step, so the time against the bytes of the slots in use says how near the lane is to the memory's
/// rate (what one-row base products reach is the benchmark's own yardstick). The serving lane (the fused lane) and
/// the parts it replaced (<see cref="LoraFastPaths.FusedLane"/> off) run in turns, step by step.
/// </summary>
internal sealed class LoraLaneBenchmark : IDisposable
{
    private const int Rank = 16;

    private readonly LoraSlotPool _pool;
    private readonly LinearSite[] _sites;
    private readonly int _slots;
    private readonly int _rows;

    /// <param name="rows">Rows of each slot: one (decode) or a prefill chunk's.</param>
    public LoraLaneBenchmark(ModelShape shape, int slots, int rows = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        (_slots, _rows) = (slots, rows);
        _sites = Sites(shape);
        _pool = new LoraSlotPool(_sites, slots, Rank, ScalarType.Float32, CPU);
        using var generator = new Generator(11);
        for (int slot = 0; slot < slots; slot++)
        {
            using var scope = NewDisposeScope();
            var factors = _sites.Select(s => new SlotFactors(s, randn([Rank, s.InFeatures], generator: generator), randn([s.OutFeatures, Rank], generator: generator))).ToList();
            _pool.Load(slot, factors, $"lane-{slot}");
        }
    }

    /// <summary>Elements of the factors a step reads (every slot in use, all sites).</summary>
    public long Elements => _slots * LoraSlotPool.BytesPerSlot(_sites, Rank, ScalarType.Float32) / sizeof(float);

    private static readonly LoraFastPaths Parts = LoraFastPaths.All & ~LoraFastPaths.FusedLane;

    /// <returns>Seconds per step, one per repetition, of the fused lane and of the parts, in turns.</returns>
    public (IReadOnlyList<double> Fused, IReadOnlyList<double> Parts) Steps(int repetitions, int warmup)
    {
        var segments = Enumerable.Range(0, _slots).Select(i => new LoraSegment(i * _rows, _rows, i)).ToArray();
        var inputs = _sites.Select(s => s.InFeatures).Distinct().ToDictionary(c => c, c => randn(_slots * _rows, c).DetachFromDisposeScope());
        var outputs = _sites.Select(s => s.OutFeatures).Distinct().ToDictionary(c => c, c => zeros(_slots * _rows, c).DetachFromDisposeScope());
        var (fused, parts) = (new List<double>(), new List<double>());
        try
        {
            for (int rep = 0; rep < warmup + repetitions; rep++)
            {
                double f = Step(LoraFastPaths.All), p = Step(Parts);
                if (rep < warmup) continue;
                fused.Add(f);
                parts.Add(p);
            }
        }
        finally
        {
            foreach (var t in inputs.Values.Concat(outputs.Values)) t.Dispose();
        }
        return (fused, parts);

        double Step(LoraFastPaths paths) => Timing.Seconds(() =>
        {
            using var scope = NewDisposeScope();
            using var batch = new AdapterBatch(_pool, segments, [], LoraKernel.Segment, CPU, paths: paths);
            foreach (var site in _sites) batch.AfterLinear(site, inputs[site.InFeatures], outputs[site.OutFeatures]);
        });
    }

    /// <summary>
    /// The step's base products with the lane, as the model runs them (<see cref="CausalLM"/>'s Linear): each site's
    /// product, then its hooks; in turns every repetition, the products alone, with the fused lane and with the parts.
    /// The difference is what the lane costs where it runs, between products that take the caches and the memory's
    /// bandwidth with it. Seconds per step for each.
    /// </summary>
    /// <param name="weights">[out, in] per site, in site order (the caller's; the shape's block linears layer by layer).</param>
    public (IReadOnlyList<double> Alone, IReadOnlyList<double> Fused, IReadOnlyList<double> Parts) WithProducts(IReadOnlyList<Tensor> weights, int repetitions, int warmup)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(weights.Count, _sites.Length, nameof(weights));
        for (int i = 0; i < _sites.Length; i++)
            if (weights[i].size(0) != _sites[i].OutFeatures || weights[i].size(1) != _sites[i].InFeatures)
                throw new ArgumentException($"weight {i} is not [{_sites[i].OutFeatures}, {_sites[i].InFeatures}] ({_sites[i].Name} of layer {_sites[i].Layer})", nameof(weights));
        NativeHeap.KeepFreedMemory();   // as the engine does: outputs reuse freed memory instead of faulting new pages in
        var segments = Enumerable.Range(0, _slots).Select(i => new LoraSegment(i * _rows, _rows, i)).ToArray();
        var inputs = _sites.Select(s => s.InFeatures).Distinct().ToDictionary(c => c, c => randn(_slots * _rows, c).DetachFromDisposeScope());
        var (alone, fused, parts) = (new List<double>(), new List<double>(), new List<double>());
        try
        {
            for (int rep = 0; rep < warmup + repetitions; rep++)
            {
                double a = Step(null), f = Step(LoraFastPaths.All), p = Step(Parts);
                if (rep < warmup) continue;
                alone.Add(a);
                fused.Add(f);
                parts.Add(p);
            }
        }
        finally
        {
            foreach (var t in inputs.Values) t.Dispose();
        }
        return (alone, fused, parts);

        double Step(LoraFastPaths? lane) => Timing.Seconds(() =>
        {
            using var scope = NewDisposeScope();
            using var batch = lane is { } paths ? new AdapterBatch(_pool, segments, [], LoraKernel.Segment, CPU, paths: paths) : null;
            for (int i = 0; i < _sites.Length; i++)
            {
                var x = inputs[_sites[i].InFeatures];
                using var y = FloatProducts.Product(x, weights[i], null);
                batch?.AfterLinear(_sites[i], x, y);
            }
        });
    }

    /// <summary>The block linears as the model declares them: k and v read q's input, up reads gate's.</summary>
    private static LinearSite[] Sites(ModelShape shape)
    {
        var sites = new List<LinearSite>();
        for (int layer = 0; layer < shape.Layers; layer++)
        {
            int first = sites.Count;
            foreach (var (module, name, inFeatures, outFeatures) in shape.BlockLinears(layer))
            {
                int shares = name switch { "k_proj" or "v_proj" => first, "up_proj" => sites.Count - 1, _ => -1 };
                sites.Add(new LinearSite(sites.Count, layer, name, module, inFeatures, outFeatures) { SharesInputWith = shares });
            }
        }
        return [.. sites];
    }

    public void Dispose() => _pool.Dispose();
}
