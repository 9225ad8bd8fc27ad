using Peft.Runtime.Safetensors;

namespace Peft.Runtime.Adapters.Lora;

/// <summary>
/// PEFT LoRA. Keys: <c>base_model.model.&lt;module&gt;.lora_A.weight</c> [r, in] and <c>.lora_B.weight</c> [out, r].
/// Every targeted module must have both, every key must belong to a targeted module, and the config's targets
/// must all exist in the base model.
/// </summary>
internal sealed class LoraMethod : IAdapterMethod
{
    public const string Type = "LORA";
    private const string KeyPrefix = "base_model.model.";

    public string PeftType => Type;

    public HostAdapter Read(AdapterFiles files, SafetensorsFile weights, BaseModel baseModel)
    {
        var config = LoraConfig.Read(AdapterReader.Fields(files));
        var targeted = baseModel.Sites.Where(s => LoraTargeting.Targets(config, s.Path)).ToArray();
        CheckTargetsExist(files, config, baseModel, targeted);

        var expectedKeys = targeted.SelectMany(s => new[] { Key(s.Path, "A"), Key(s.Path, "B") }).ToHashSet(StringComparer.Ordinal);
        string? extra = weights.Names.Order(StringComparer.Ordinal).FirstOrDefault(n => !expectedKeys.Contains(n));
        if (extra is not null)
            throw new AdapterLoadException($"adapter '{files.Name}': unexpected tensor '{extra}' (the config targets {targeted.Length} modules; " +
                "LoRA bias, embedding LoRA and modules_to_save tensors are not served)");

        var modules = new Dictionary<int, LoraModule>();
        try
        {
            foreach (var site in targeted)
            {
                var (rank, alpha) = LoraTargeting.RankAndAlpha(config, site.Path);
                string hint = $"r = {rank} for {site.Path}";
                var a = AdapterTensors.Load(files, weights, Key(site.Path, "A"), [rank, site.InFeatures], baseModel.Dtype, hint);
                var b = AdapterTensors.Load(files, weights, Key(site.Path, "B"), [site.OutFeatures, rank], baseModel.Dtype, hint);
                modules[site.Index] = new LoraModule(site, a, b, rank, LoraTargeting.Scaling(config, rank, alpha));
            }
        }
        catch
        {
            foreach (var m in modules.Values)
            {
                m.A.Dispose();
                m.B.Dispose();
            }
            throw;
        }
        return new LoraAdapter(files.Name, modules);
    }

    private static void CheckTargetsExist(AdapterFiles files, LoraConfig config, BaseModel baseModel, Models.LinearSite[] targeted)
    {
        var unsupported = baseModel.OtherModules.Where(m => LoraTargeting.Targets(config, m)).ToArray();
        if (unsupported.Length > 0)
            throw new AdapterLoadException($"adapter '{files.Name}': LoRA on {string.Join(", ", unsupported)} is not supported (only linear layers inside the decoder blocks)");
        if (config.TargetRegex is null)
        {
            var missing = config.TargetList
                .Where(t => !baseModel.Sites.Any(s => s.Path == t || s.Path.EndsWith("." + t, StringComparison.Ordinal)))
                .ToArray();
            if (missing.Length > 0)
                throw new AdapterLoadException(
                    $"adapter '{files.Name}': target modules {string.Join(", ", missing)} not found in the base model ({baseModel.Config.Architecture}, " +
                    $"whose adapter targets are {string.Join(", ", baseModel.Sites.Select(s => s.Name).Distinct())})");
        }
        if (targeted.Length == 0)
            throw new AdapterLoadException($"adapter '{files.Name}': target_modules matches no layer of the base model ({baseModel.Config.Architecture})");
    }

    private static string Key(string module, string matrix) => $"{KeyPrefix}{module}.lora_{matrix}.weight";
}
