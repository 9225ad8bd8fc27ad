using Peft.Runtime.Adapters.Targeting;
using Peft.Runtime.Json;
using Peft.Runtime.Models;

namespace Peft.Runtime.Adapters.Lora;

/// <summary>A LoRA-family config given to the training API, checked for what training supports.</summary>
internal static class LoraTrainingConfigs
{
    /// <summary>The config and the block sites it targets; refuses what the trainer does not implement, by name.</summary>
    public static (LoraConfig Config, LinearSite[] Sites) Read(JsonFields f, BaseModel baseModel)
    {
        var config = LoraConfig.Read(f) with { Targets = ModuleTargets.ReadForTraining(f, baseModel) };
        if (config.RankPattern.Entries.Count + config.AlphaPattern.Entries.Count > 0)
            throw LoraConfig.Unsupported(f, "rank_pattern / alpha_pattern", "a pattern", "training uses one rank and alpha for every module");
        if (config.Bias != "none") throw LoraConfig.Unsupported(f, "bias", $"'{config.Bias}'", "training keeps the base biases frozen");
        if (config.Dropout is < 0 or >= 1) throw f.Invalid("lora_dropout", "in [0, 1)");
        if (config.R > 256) throw f.Invalid("r", "at most 256");
        if (!(config.Alpha > 0)) throw f.Invalid("lora_alpha", "positive");
        var sites = config.Targets.Linears(f.File, baseModel, "LoRA training", head: false, embedding: false);
        return (config, sites);
    }
}
