using System.Text.Json;
using Peft.Runtime.Adapters.Lora;
using Peft.Runtime.Adapters.Targeting;
using Peft.Runtime.Json;

namespace Peft.Runtime.Adapters.AdaLora;

/// <summary>
/// PEFT AdaLoRA's config as inference needs it: the targets, init_r, lora_alpha and the rank pattern the allocator
/// left (module → a mask over the init_r singular values; r is ignored by AdaLoRA).
/// </summary>
internal sealed record AdaLoraConfig(ModuleTargets Targets, int InitR, double Alpha, IReadOnlyDictionary<string, bool[]> RankPattern, string Bias)
{
    public static AdaLoraConfig Read(JsonFields f)
    {
        LoraConfig.RefuseUnserved(f);
        string bias = LoraConfig.ReadBias(f);
        int initR = f.OptionalInt("init_r") ?? 12;
        if (initR < 1) throw f.Invalid("init_r", "a positive integer");
        var pattern = new Dictionary<string, bool[]>(StringComparer.Ordinal);
        if (f.Raw("rank_pattern") is { } raw)
        {
            if (raw.ValueKind != JsonValueKind.Object) throw f.Invalid("rank_pattern", "an object of module → list of booleans");
            foreach (var entry in raw.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.Array || entry.Value.EnumerateArray().Any(e => e.ValueKind is not (JsonValueKind.True or JsonValueKind.False)))
                    throw f.Invalid("rank_pattern", "an object of module → list of booleans");
                var mask = entry.Value.EnumerateArray().Select(e => e.GetBoolean()).ToArray();
                if (mask.Length != initR)
                    throw new AdapterLoadException($"{f.File}: rank_pattern['{entry.Name}'] has {mask.Length} entries, init_r is {initR}");
                pattern[Module(entry.Name)] = mask;
            }
        }
        return new AdaLoraConfig(ModuleTargets.Read(f), initR, f.OptionalDouble("lora_alpha") ?? 8, pattern, bias);
    }

    /// <summary>PEFT names a pattern entry by its lora_E parameter, with or without the adapter name.</summary>
    private static string Module(string key)
    {
        foreach (string suffix in (string[])[".lora_E.default", ".lora_E"])
            if (key.EndsWith(suffix, StringComparison.Ordinal)) return key[..^suffix.Length];
        return key;
    }
}
