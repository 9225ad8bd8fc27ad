using System.Text.Json;
using Peft.Runtime.Adapters.Targeting;
using Peft.Runtime.Json;

namespace Peft.Runtime.Adapters.Lora;

/// <summary>
/// The fields of a PEFT LoRA <c>adapter_config.json</c> that define the math. Fields that would change the math
/// and are not implemented are refused by name, never ignored.
/// </summary>
internal sealed record LoraConfig
{
    public required int R { get; init; }
    public required double Alpha { get; init; }
    public required bool UseRsLora { get; init; }
    public required bool UseDora { get; init; }
    /// <summary>Training only (PEFT's lora_dropout); inference ignores it.</summary>
    public double Dropout { get; init; }
    /// <summary>none, all or lora_only (which PEFT saves no bias for).</summary>
    public required string Bias { get; init; }
    public required ModuleTargets Targets { get; init; }
    public PatternMap RankPattern { get; init; } = new([]);
    public PatternMap AlphaPattern { get; init; } = new([]);

    public static LoraConfig Read(JsonFields f)
    {
        RefuseUnserved(f);
        int r = f.Int("r");
        if (r < 1) throw f.Invalid("r", "a positive integer");
        return new LoraConfig
        {
            R = r,
            Alpha = f.OptionalDouble("lora_alpha") ?? 8,
            UseRsLora = f.OptionalBool("use_rslora") ?? false,
            UseDora = f.OptionalBool("use_dora") ?? false,
            Dropout = f.OptionalDouble("lora_dropout") ?? 0,
            Bias = ReadBias(f),
            Targets = ModuleTargets.Read(f),
            RankPattern = PatternMap.Read(f, "rank_pattern"),
            AlphaPattern = PatternMap.Read(f, "alpha_pattern"),
        };
    }

    /// <summary>PEFT: alpha / r, or alpha / sqrt(r) with rsLoRA; rank and alpha resolved by the patterns.</summary>
    public (int Rank, double Scaling) Resolve(string module)
    {
        int rank = (int)RankPattern.Resolve(module, R);
        double alpha = AlphaPattern.Resolve(module, Alpha);
        return (rank, UseRsLora ? alpha / Math.Sqrt(rank) : alpha / rank);
    }

    /// <summary>bias: "none", "all" or "lora_only" (LoRA and AdaLoRA configs).</summary>
    public static string ReadBias(JsonFields f)
    {
        string bias = f.OptionalString("bias") ?? "none";
        return bias is "none" or "all" or "lora_only" ? bias : throw Unsupported(f, "bias", $"'{bias}'", "PEFT knows 'none', 'all' and 'lora_only'");
    }

    /// <summary>Fields of LoRA-family configs that change the math and that this server does not implement.</summary>
    public static void RefuseUnserved(JsonFields f)
    {
        if (f.Raw("modules_to_save") is { ValueKind: JsonValueKind.Array } m && m.GetArrayLength() > 0)
            throw Unsupported(f, "modules_to_save", m.GetRawText(), "fully trained module copies are not served");
        if (f.Raw("layer_replication") is { } replication) throw Unsupported(f, "layer_replication", replication.GetRawText(), "layer replication is not implemented");
        if (f.OptionalBool("lora_bias") == true) throw Unsupported(f, "lora_bias", "true", "a bias on lora_B is not implemented");
        if (f.Raw("target_parameters") is { ValueKind: JsonValueKind.Array } p && p.GetArrayLength() > 0)
            throw Unsupported(f, "target_parameters", p.GetRawText(), "parameter targeting is not implemented");
        if (f.Raw("megatron_config") is { } mc) throw Unsupported(f, "megatron_config", mc.GetRawText(), "Megatron layers are not served");
        if (f.Raw("trainable_token_indices") is { } t) throw Unsupported(f, "trainable_token_indices", t.GetRawText(), "trainable token deltas are not served");
        if (f.Raw("alora_invocation_tokens") is { } a) throw Unsupported(f, "alora_invocation_tokens", a.GetRawText(), "activated LoRA is not served");
        if (f.OptionalBool("use_qalora") == true) throw Unsupported(f, "use_qalora", "true", "QALoRA is not served");
        if (f.OptionalBool("use_bdlora") == true) throw Unsupported(f, "use_bdlora", "true", "BD-LoRA is not served");
        if (f.Raw("arrow_config") is { } arrow) throw Unsupported(f, "arrow_config", arrow.GetRawText(), "Arrow routing is not served");
        if (f.Raw("monteclora_config") is { } mc2) throw Unsupported(f, "monteclora_config", mc2.GetRawText(), "MonteCLoRA is not served");
    }

    public static AdapterLoadException Unsupported(JsonFields f, string field, string value, string why) =>
        new($"{f.File}: {field} = {value} is not supported ({why})");
}
