using Peft.Runtime.Adapters.Bias;
using Peft.Runtime.Adapters.Lora;
using Peft.Runtime.Models;
using static TorchSharp.torch;

namespace Peft.Runtime.Adapters.AdaLora;

/// <summary>
/// PEFT AdaLoRA's inference form. Keys (no ".weight"): <c>base_model.model.&lt;module&gt;.lora_A</c> [r', in],
/// <c>.lora_E</c> [r', 1] and <c>.lora_B</c> [out, r'], where r' is the number of kept singular values (the rank
/// pattern's mask, else init_r); PEFT saves them already cut to r'. The forward is
///   y += (x · (A ⊙ E)ᵀ · Bᵀ) · α / (ranknum + 1e-5)
/// with α = lora_alpha (or the rank when lora_alpha ≤ 0) and ranknum = init_r: loading a pattern keeps the rank the
/// adapter was trained with as the divisor. So it is a LoRA adapter with A' = A ⊙ E, and it is served as one.
/// </summary>
internal sealed class AdaLoraMethod : IAdapterMethod
{
    public const string Type = "ADALORA";

    public string PeftType => Type;

    public HostAdapter Read(AdapterFiles files, AdapterWeights weights, BaseModel baseModel)
    {
        var config = AdaLoraConfig.Read(AdapterReader.Fields(files));
        var targeted = config.Targets.Linears($"adapter '{files.Name}'", baseModel, "AdaLoRA", head: false, embedding: false);
        var unknown = config.RankPattern.Keys.FirstOrDefault(k => !targeted.Any(s => s.Path == k));
        if (unknown is not null)
            throw new AdapterLoadException($"adapter '{files.Name}': rank_pattern names {unknown}, which is not a module the config targets");
        var modules = new Dictionary<int, LoraModule>();
        foreach (var site in targeted)
        {
            bool resized = config.RankPattern.TryGetValue(site.Path, out var mask);
            int rank = resized ? mask!.Count(k => k) : config.InitR;
            double alpha = config.Alpha > 0 ? config.Alpha : rank;
            string hint = $"{rank} kept of init_r {config.InitR} for {site.Path}";
            var a = weights.Take(Key(site.Path, "A"), [rank, site.InFeatures], hint);
            var e = weights.Take(Key(site.Path, "E"), [rank, 1], hint);
            var b = weights.Take(Key(site.Path, "B"), [site.OutFeatures, rank], hint);
            if (rank == 0)
            {
                foreach (var t in (Tensor[])[a, e, b]) weights.Drop(t);
                continue;
            }
            var scaled = weights.Own(a.mul(e));
            weights.Drop(a);
            weights.Drop(e);
            modules[site.Index] = new LoraModule(site, scaled, b, rank, alpha / (config.InitR + 1e-5));
        }
        var biases = BiasOverrides.Read(weights, baseModel, config.Bias);
        if (modules.Count == 0 && biases is null)
            throw new AdapterLoadException($"adapter '{files.Name}': every module's rank pattern keeps no singular value; the adapter changes nothing");
        return new LoraAdapter(files.Name, modules, Type) { Biases = biases };
    }

    private static string Key(string module, string matrix) => $"{LoraFactors.KeyPrefix}{module}.lora_{matrix}";
}
