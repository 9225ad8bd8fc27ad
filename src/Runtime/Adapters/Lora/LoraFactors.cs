namespace Peft.Runtime.Adapters.Lora;

/// <summary>What a LoRA-style config's factors are, once read: the block modules.</summary>
internal sealed record LoraFactors(Dictionary<int, LoraModule> Modules)
{
    public const string KeyPrefix = "base_model.model.";

    /// <summary>
    /// PEFT LoRA keys: <c>base_model.model.&lt;module&gt;.lora_A.weight</c> [r, in] and <c>.lora_B.weight</c> [out, r] for
    /// every targeted linear. Every targeted module must have both, and the config's targets must all exist in the
    /// base model.
    /// </summary>
    public static LoraFactors Read(AdapterWeights weights, BaseModel baseModel, LoraConfig config)
    {
        var files = weights.Files;
        var targeted = config.Targets.Linears($"adapter '{files.Name}'", baseModel, "LoRA", head: false, embedding: false);
        var modules = new Dictionary<int, LoraModule>();
        foreach (var site in targeted)
        {
            var (rank, scaling) = config.Resolve(site.Path);
            string hint = $"r = {rank} for {site.Path}";
            var a = weights.Take(Key(site.Path, "A"), [rank, site.InFeatures], hint);
            var b = weights.Take(Key(site.Path, "B"), [site.OutFeatures, rank], hint);
            modules[site.Index] = new LoraModule(site, a, b, rank, scaling);
        }
        return new LoraFactors(modules);
    }

    public static string Key(string module, string matrix) => $"{KeyPrefix}{module}.lora_{matrix}.weight";
}
