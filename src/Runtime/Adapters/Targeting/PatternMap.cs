using System.Text.RegularExpressions;
using Peft.Runtime.Json;

namespace Peft.Runtime.Adapters.Targeting;

/// <summary>
/// A rank_pattern or alpha_pattern (LoRA, LoHa, LoKr): keys are regex fragments matched against module names.
/// Resolution follows PEFT 0.14 and later: the rank and the alpha are looked up separately, each taking the first key
/// k (in file order) such that the name matches (.*\.)?(k)$, else the default. PEFT 0.13 instead took one key for
/// both lookups (the first match among the rank keys, then the alpha keys, with .*\.k$) and read both values by it, so
/// a module matched by different rank and alpha keys got the default for one of them; see docs/architecture.md.
/// </summary>
internal sealed class PatternMap(IReadOnlyList<KeyValuePair<string, double>> entries)
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(200);

    public static PatternMap Read(JsonFields f, string field) => new(f.NumberMap(field));

    public IReadOnlyList<KeyValuePair<string, double>> Entries => entries;

    public double Resolve(string module, double fallback) =>
        entries.FirstOrDefault(p => Matches(p.Key, module)) is { Key: not null } hit ? hit.Value : fallback;

    private static bool Matches(string key, string module) =>
        Regex.IsMatch(module, $@"^(?:.*\.)?(?:{key})$", RegexOptions.None, RegexTimeout);
}
