using Peft.Runtime.Adapters.AdaLora;
using Peft.Runtime.Adapters.Dora;
using Peft.Runtime.Adapters.Ia3;
using Peft.Runtime.Adapters.LoHa;
using Peft.Runtime.Adapters.LoKr;
using Peft.Runtime.Adapters.Lora;
using Peft.Runtime.Adapters.MultitaskPromptTuning;
using Peft.Runtime.Adapters.PrefixTuning;
using Peft.Runtime.Adapters.PromptTuning;
using Peft.Runtime.Adapters.PTuning;
using Peft.Runtime.Adapters.Vera;
using Peft.Runtime.Json;

namespace Peft.Runtime.Adapters;

/// <summary>The PEFT methods this server reads, registered in one place; the first that reads a config wins.</summary>
internal static class AdapterMethods
{
    private static readonly IAdapterMethod[] All =
    [
        new DoraMethod(),
        new LoraMethod(),
        new Ia3Method(),
        new AdaLoraMethod(),
        new LohaMethod(),
        new LokrMethod(),
        new VeraMethod(),
        new PrefixTuningMethod(),
        new PromptTuningMethod(),
        new PTuningMethod(),
        new MultitaskPromptTuningMethod(),
    ];

    public static IReadOnlyCollection<string> Supported { get; } = [.. All.Select(m => m.PeftType).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>The method that reads this config, or null.</summary>
    public static IAdapterMethod? Find(string peftType, JsonFields config) => All.FirstOrDefault(m => m.PeftType == peftType && m.Reads(config));

    public static IAdapterMethod For(string peftType, JsonFields config, string adapterName) =>
        Find(peftType, config)
        ?? throw new AdapterLoadException(Supported.Contains(peftType)
            ? $"adapter '{adapterName}': this {peftType} configuration is not supported"
            : $"adapter '{adapterName}': peft_type '{peftType}' is not supported (supported: {string.Join(", ", Supported)})");
}
