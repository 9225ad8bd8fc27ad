using Peft.Runtime.Adapters.Lora;
using Peft.Runtime.Adapters.PrefixTuning;
using Peft.Runtime.Adapters.PromptTuning;
using Peft.Runtime.Adapters.PTuning;

namespace Peft.Runtime.Adapters;

/// <summary>The PEFT methods this server reads, registered in one place.</summary>
public static class AdapterMethods
{
    private static readonly Dictionary<string, IAdapterMethod> ByType = new IAdapterMethod[]
    {
        new LoraMethod(),
        new PrefixTuningMethod(),
        new PromptTuningMethod(),
        new PTuningMethod(),
    }.ToDictionary(m => m.PeftType, StringComparer.Ordinal);

    public static IReadOnlyCollection<string> Supported => ByType.Keys;

    public static IAdapterMethod For(string peftType, string adapterName) =>
        ByType.TryGetValue(peftType, out var method)
            ? method
            : throw new AdapterLoadException(
                $"adapter '{adapterName}': peft_type '{peftType}' is not supported (supported: {string.Join(", ", ByType.Keys.Order())})");
}
