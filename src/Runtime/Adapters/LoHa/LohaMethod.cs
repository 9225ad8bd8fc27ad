using Peft.Runtime.Adapters.Lora;
using Peft.Runtime.Adapters.Serving;
using Peft.Runtime.Adapters.Targeting;
using Peft.Runtime.Json;
using Peft.Runtime.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.LoHa;

/// <summary>One LoHa module: ΔW = (W1a · W1b) ⊙ (W2a · W2b) · α / r, W·a [out, r], W·b [r, in].</summary>
public sealed record LohaModule(LinearSite Site, Tensor W1A, Tensor W1B, Tensor W2A, Tensor W2B, int Rank, double Scale)
{
    /// <summary>The math, written once (PEFT's make_weight).</summary>
    public static Tensor DeltaWeight(Tensor w1a, Tensor w1b, Tensor w2a, Tensor w2b, Scalar scale) =>
        w1a.matmul(w1b).mul(w2a.matmul(w2b)).mul(scale);
}

/// <summary>
/// PEFT LoHa on linear layers. Keys: <c>base_model.model.&lt;module&gt;.hada_w1_a</c> [out, r], <c>hada_w1_b</c> [r, in],
/// <c>hada_w2_a</c> [out, r], <c>hada_w2_b</c> [r, in]; rank and alpha per module by rank_pattern / alpha_pattern.
/// The Hadamard product has rank up to r², so ΔW is rebuilt once on the device and applied as a matrix, as PEFT does.
/// </summary>
internal sealed class LohaMethod : IAdapterMethod
{
    public const string Type = "LOHA";

    public string PeftType => Type;

    public HostAdapter Read(AdapterFiles files, AdapterWeights weights, BaseModel baseModel)
    {
        var f = AdapterReader.Fields(files);
        LoraConfig.RefuseUnserved(f);
        var targets = ModuleTargets.Read(f);
        int r = f.Int("r");
        double alpha = f.OptionalDouble("alpha") ?? 0;
        var ranks = PatternMap.Read(f, "rank_pattern");
        var alphas = PatternMap.Read(f, "alpha_pattern");
        var modules = new List<LohaModule>();
        foreach (var site in targets.Linears($"adapter '{files.Name}'", baseModel, "LoHa", head: true, embedding: false))
        {
            int rank = (int)ranks.Resolve(site.Path, r);
            if (rank < 1) throw new AdapterLoadException($"adapter '{files.Name}': rank {rank} for {site.Path} must be positive");
            string hint = $"r = {rank} for {site.Path}";
            Tensor Take(string name, long[] shape) => weights.Take($"base_model.model.{site.Path}.hada_{name}", shape, hint);
            modules.Add(new LohaModule(site, Take("w1_a", [site.OutFeatures, rank]), Take("w1_b", [rank, site.InFeatures]),
                Take("w2_a", [site.OutFeatures, rank]), Take("w2_b", [rank, site.InFeatures]), rank, alphas.Resolve(site.Path, alpha) / rank));
        }
        return new LohaAdapter(files.Name, modules);
    }
}

/// <summary>A LoHa adapter; on the device, one rebuilt ΔW per module (<see cref="DeltaWeightHooks"/>).</summary>
public sealed class LohaAdapter(string name, IReadOnlyList<LohaModule> modules) : HostAdapter(name, LohaMethod.Type)
{
    public IReadOnlyList<LohaModule> Modules { get; } = modules;

    private IEnumerable<Tensor> Tensors => Modules.SelectMany(m => new[] { m.W1A, m.W1B, m.W2A, m.W2B });

    public override long SizeBytes => Tensors.Sum(Bytes);

    public override long DeviceBytes => Modules.Sum(m => (long)m.Site.OutFeatures * m.Site.InFeatures * m.W1A.ElementSize);

    public override int Rank => Modules.Max(m => m.Rank);

    public override IReadOnlyList<string> TargetModules => Modules.Select(m => m.Site.Name).Distinct().Order(StringComparer.Ordinal).ToArray();

    public override DeviceAdapter ToDevice(DeviceContext context) => DeltaWeightHooks.Device(context, Modules, m => m.Site, (m, c) =>
    {
        using var scale = m.Scale.ToScalar();
        return LohaModule.DeltaWeight(c.View(m.W1A), c.View(m.W1B), c.View(m.W2A), c.View(m.W2B), scale);
    });

    protected override void DisposeTensors()
    {
        foreach (var t in Tensors) t.Dispose();
    }
}
