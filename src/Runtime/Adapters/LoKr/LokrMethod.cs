using Peft.Runtime.Adapters.Lora;
using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Adapters.Targeting;
using Peft.Runtime.Json;
using Peft.Runtime.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.LoKr;

/// <summary>
/// One LoKr module: ΔW = (W1 ⊗ W2) · α / r, W1 [a, c] and W2 [b, d] with a·b = out and c·d = in, each either stored
/// whole (<c>lokr_w1</c>) or as a rank-r product (<c>lokr_w1_a</c> [a, r] · <c>lokr_w1_b</c> [r, c]).
/// </summary>
public sealed record LokrModule(LinearSite Site, Tensor[] W1, Tensor[] W2, int Rank, double Scale)
{
    /// <summary>The math, written once (PEFT ≥ 0.14's get_delta_weight; 0.13 left out the α / r scale).</summary>
    public static Tensor DeltaWeight(Tensor w1, Tensor w2, Scalar scale) => kron(w1, w2).mul(scale);

    /// <summary>A factor stored whole, or the product of its two halves.</summary>
    public static Tensor Factor(IReadOnlyList<Tensor> parts) => parts.Count == 1 ? parts[0] : parts[0].matmul(parts[1]);
}

/// <summary>
/// PEFT LoKr on linear layers. The factor shapes follow PEFT: out = a·b and in = c·d split by its factorization
/// (decompose_factor), W1 decomposed when decompose_both and r &lt; max(a, c) / 2, W2 when r &lt; max(b, d) / 2.
/// ΔW is rebuilt once on the device and applied as a matrix, as PEFT does.
/// </summary>
internal sealed class LokrMethod : IAdapterMethod
{
    public const string Type = "LOKR";

    public string PeftType => Type;

    public HostAdapter Read(AdapterFiles files, AdapterWeights weights, BaseModel baseModel)
    {
        var f = AdapterReader.Fields(files);
        LoraConfig.RefuseUnserved(f);
        var targets = ModuleTargets.Read(f);
        int r = f.Int("r");
        double alpha = f.OptionalDouble("alpha") ?? 0;
        bool decomposeBoth = f.OptionalBool("decompose_both") ?? false;
        int factor = f.OptionalInt("decompose_factor") ?? -1;
        var ranks = PatternMap.Read(f, "rank_pattern");
        var alphas = PatternMap.Read(f, "alpha_pattern");
        var modules = new List<LokrModule>();
        foreach (var site in targets.Linears($"adapter '{files.Name}'", baseModel, "LoKr", head: true, embedding: false))
        {
            int rank = (int)ranks.Resolve(site.Path, r);
            if (rank < 1) throw new AdapterLoadException($"adapter '{files.Name}': rank {rank} for {site.Path} must be positive");
            var (a, b) = Factorization(site.OutFeatures, factor);
            var (c, d) = Factorization(site.InFeatures, factor);
            string key = $"base_model.model.{site.Path}.lokr_";
            string hint = $"r = {rank}, out {site.OutFeatures} = {a}·{b}, in {site.InFeatures} = {c}·{d} for {site.Path}";
            var w1 = decomposeBoth && rank < Math.Max(a, c) / 2.0
                ? new[] { weights.Take(key + "w1_a", [a, rank], hint), weights.Take(key + "w1_b", [rank, c], hint) }
                : [weights.Take(key + "w1", [a, c], hint)];
            var w2 = rank < Math.Max(b, d) / 2.0
                ? new[] { weights.Take(key + "w2_a", [b, rank], hint), weights.Take(key + "w2_b", [rank, d], hint) }
                : [weights.Take(key + "w2", [b, d], hint)];
            modules.Add(new LokrModule(site, w1, w2, rank, alphas.Resolve(site.Path, alpha) / rank));
        }
        return new LokrAdapter(files.Name, modules);
    }

    /// <summary>
    /// PEFT's factorization: with a factor that divides the dimension, (factor, dimension / factor); otherwise the
    /// divisor pair m ≤ n whose sum is smallest among those with m ≤ factor (no bound for -1), searched from m = 1
    /// upwards until the sum stops falling.
    /// </summary>
    internal static (int M, int N) Factorization(int dimension, int factor)
    {
        if (factor > 0 && dimension % factor == 0) return (factor, dimension / factor);
        int bound = factor == -1 ? dimension : factor;
        int m = 1, n = dimension;
        while (m < n)
        {
            int next = m + 1;
            while (dimension % next != 0) next++;
            int other = dimension / next;
            if (next + other > m + n || next > bound) break;
            (m, n) = (next, other);
        }
        return m > n ? (n, m) : (m, n);
    }
}

/// <summary>A LoKr adapter; on the device, one rebuilt ΔW per module (<see cref="DeltaWeightHooks"/>).</summary>
public sealed class LokrAdapter(string name, IReadOnlyList<LokrModule> modules) : HostAdapter(name, LokrMethod.Type)
{
    public IReadOnlyList<LokrModule> Modules { get; } = modules;

    private IEnumerable<Tensor> Tensors => Modules.SelectMany(m => m.W1.Concat(m.W2));

    public override long SizeBytes => Tensors.Sum(Bytes);

    public override long DeviceBytes => Modules.Sum(m => (long)m.Site.OutFeatures * m.Site.InFeatures * m.W1[0].ElementSize);

    public override int Rank => Modules.Max(m => m.Rank);

    public override IReadOnlyList<string> TargetModules => Modules.Select(m => m.Site.Name).Distinct().Order(StringComparer.Ordinal).ToArray();

    public override DeviceAdapter ToDevice(DeviceContext context) => DeltaWeightHooks.Device(context, Modules, m => m.Site, (m, c) =>
    {
        using var scale = m.Scale.ToScalar();
        return LokrModule.DeltaWeight(LokrModule.Factor([.. m.W1.Select(c.View)]), LokrModule.Factor([.. m.W2.Select(c.View)]), scale);
    });

    protected override void DisposeTensors()
    {
        foreach (var t in Tensors) t.Dispose();
    }
}
