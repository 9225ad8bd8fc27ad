using System.Text.Json;
using Peft.Runtime.Adapters.Lora;
using Peft.Runtime.Adapters.Targeting;
using Peft.Runtime.Json;

namespace Peft.Runtime.Adapters.Ia3;

/// <summary>
/// PEFT IA³'s config: which modules are scaled, and which of them are feed-forward (scaled at their input rather than
/// their output). PEFT's feed-forward rule differs from its target rule: a list entry matches a module name that
/// ends with it (no "." boundary), a string must match the whole name.
/// </summary>
internal sealed record Ia3Config(ModuleTargets Targets, IReadOnlyList<string> FeedForwardList, string? FeedForwardRegex)
{
    public static Ia3Config Read(JsonFields f, BaseModel? forTraining = null)
    {
        if (f.Raw("modules_to_save") is { ValueKind: JsonValueKind.Array } m && m.GetArrayLength() > 0)
            throw LoraConfig.Unsupported(f, "modules_to_save", m.GetRawText(), "fully trained module copies are not served");
        var targets = forTraining is null ? ModuleTargets.Read(f) : ModuleTargets.ReadForTraining(f, forTraining);
        return f.Raw("feedforward_modules") switch
        {
            null => new Ia3Config(targets, [], null),
            { ValueKind: JsonValueKind.String } s => new Ia3Config(targets, [], s.GetString()),
            { ValueKind: JsonValueKind.Array } => new Ia3Config(targets, f.OptionalStringList("feedforward_modules")!, null),
            _ => throw f.Invalid("feedforward_modules", "a list of module names or a regex string"),
        };
    }

    public bool IsFeedForward(string module) => FeedForwardRegex is { } regex
        ? ModuleTargets.FullMatch(regex, module)
        : FeedForwardList.Any(t => module.EndsWith(t, StringComparison.Ordinal));
}
