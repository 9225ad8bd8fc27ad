using System.Text.Json;
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
    /// <summary>A list of module-name suffixes, or (when <see cref="TargetRegex"/> is set) nothing.</summary>
    public IReadOnlyList<string> TargetList { get; init; } = [];
    /// <summary>A single string: a regex that must match a whole module name.</summary>
    public string? TargetRegex { get; init; }
    public IReadOnlyList<string> ExcludeList { get; init; } = [];
    public string? ExcludeRegex { get; init; }
    public IReadOnlyList<KeyValuePair<string, double>> RankPattern { get; init; } = [];
    public IReadOnlyList<KeyValuePair<string, double>> AlphaPattern { get; init; } = [];
    /// <summary>Null: every layer.</summary>
    public IReadOnlyList<int>? LayersToTransform { get; init; }
    public IReadOnlyList<string> LayersPattern { get; init; } = [];

    public static LoraConfig Read(JsonFields f)
    {
        string bias = f.OptionalString("bias") ?? "none";
        if (bias != "none") throw Unsupported(f, "bias", $"'{bias}'", "only 'none': LoRA bias terms are not implemented");
        if (f.OptionalBool("use_dora") == true) throw Unsupported(f, "use_dora", "true", "DoRA is not implemented");
        if (f.Raw("modules_to_save") is { ValueKind: JsonValueKind.Array } m && m.GetArrayLength() > 0)
            throw Unsupported(f, "modules_to_save", m.GetRawText(), "fully trained module copies are not served");
        if (f.Raw("layer_replication") is { } replication) throw Unsupported(f, "layer_replication", replication.GetRawText(), "layer replication is not implemented");
        if (f.OptionalBool("lora_bias") == true) throw Unsupported(f, "lora_bias", "true", "LoRA bias terms are not implemented");
        if (f.Raw("target_parameters") is { ValueKind: JsonValueKind.Array } p && p.GetArrayLength() > 0)
            throw Unsupported(f, "target_parameters", p.GetRawText(), "parameter targeting is not implemented");
        if (f.Raw("megatron_config") is { } mc) throw Unsupported(f, "megatron_config", mc.GetRawText(), "Megatron layers are not served");

        int r = f.Int("r");
        if (r < 1) throw f.Invalid("r", "a positive integer");
        var config = new LoraConfig
        {
            R = r,
            Alpha = f.OptionalDouble("lora_alpha") ?? 8,
            UseRsLora = f.OptionalBool("use_rslora") ?? false,
            RankPattern = f.NumberMap("rank_pattern"),
            AlphaPattern = f.NumberMap("alpha_pattern"),
            LayersToTransform = f.Raw("layers_to_transform") switch
            {
                null => null,
                { ValueKind: JsonValueKind.Number } n => [n.GetInt32()],
                { ValueKind: JsonValueKind.Array } a => a.EnumerateArray().Select(e => e.GetInt32()).ToArray(),
                _ => throw f.Invalid("layers_to_transform", "an integer or a list of integers"),
            },
            LayersPattern = f.Raw("layers_pattern") switch
            {
                null => [],
                { ValueKind: JsonValueKind.String } s => [s.GetString()!],
                _ => f.OptionalStringList("layers_pattern") ?? [],
            },
        };
        config = f.Raw("target_modules") switch
        {
            { ValueKind: JsonValueKind.String } s => config with { TargetRegex = s.GetString() },
            { ValueKind: JsonValueKind.Array } => config with { TargetList = f.OptionalStringList("target_modules")! },
            null => throw new AdapterLoadException($"{f.File}: target_modules is not set (PEFT writes the resolved list on save)"),
            _ => throw f.Invalid("target_modules", "a list of module names or a regex string"),
        };
        return f.Raw("exclude_modules") switch
        {
            null => config,
            { ValueKind: JsonValueKind.String } s => config with { ExcludeRegex = s.GetString() },
            { ValueKind: JsonValueKind.Array } => config with { ExcludeList = f.OptionalStringList("exclude_modules")! },
            _ => throw f.Invalid("exclude_modules", "a list of module names or a regex string"),
        };
    }

    private static AdapterLoadException Unsupported(JsonFields f, string field, string value, string why) =>
        new($"{f.File}: {field} = {value} is not supported ({why})");
}
