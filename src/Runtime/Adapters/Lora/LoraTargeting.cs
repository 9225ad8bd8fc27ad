using System.Text.RegularExpressions;

namespace Peft.Runtime.Adapters.Lora;

/// <summary>
/// Which modules a LoRA config targets and with which rank and alpha, by PEFT's rules:
/// a list entry matches a module name that equals it or ends with "." + entry (then layers_to_transform may
/// restrict by layer index); a string is a regex that must match the whole name. Rank and alpha patterns are
/// resolved separately, each by the first key k (in file order) such that the name matches (.*\.)?(k)$, else the
/// default (PEFT ≥ 0.15's rule, which agrees with earlier versions on plain names and suffixes).
/// </summary>
internal static class LoraTargeting
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(200);

    public static bool Targets(LoraConfig config, string module)
    {
        bool found;
        if (config.TargetRegex is { } regex)
        {
            found = FullMatch(regex, module);
        }
        else if (config.TargetList.Contains(module))
        {
            // PEFT accepts an exact name before looking at layers_to_transform.
            found = true;
        }
        else
        {
            found = config.TargetList.Any(t => module.EndsWith("." + t, StringComparison.Ordinal));
            if (found && config.LayersToTransform is { Count: > 0 } layers)
                found = LayerIndex(module, config.LayersPattern) is { } index && layers.Contains(index);
        }
        return found && !Excluded(config, module);
    }

    public static (int Rank, double Alpha) RankAndAlpha(LoraConfig config, string module)
    {
        int rank = config.RankPattern.FirstOrDefault(p => PatternMatches(p.Key, module)) is { Key: not null } r ? (int)r.Value : config.R;
        double alpha = config.AlphaPattern.FirstOrDefault(p => PatternMatches(p.Key, module)) is { Key: not null } a ? a.Value : config.Alpha;
        return (rank, alpha);
    }

    /// <summary>PEFT: alpha / r, or alpha / sqrt(r) with rsLoRA.</summary>
    public static double Scaling(LoraConfig config, int rank, double alpha) =>
        config.UseRsLora ? alpha / Math.Sqrt(rank) : alpha / rank;

    private static bool Excluded(LoraConfig config, string module) => config.ExcludeRegex is { } regex
        ? FullMatch(regex, module)
        : config.ExcludeList.Any(e => module == e || module.EndsWith("." + e, StringComparison.Ordinal));

    private static int? LayerIndex(string module, IReadOnlyList<string> patterns)
    {
        var match = patterns.Count == 0
            ? Regex.Match(module, @"^.*\.[^.]*\.(\d+)\.", RegexOptions.None, RegexTimeout)
            : patterns.Select(p => Regex.Match(module, $@"^.*\.{p}\.(\d+)\.", RegexOptions.None, RegexTimeout)).FirstOrDefault(m => m.Success);
        return match is { Success: true } ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    private static bool PatternMatches(string key, string module) =>
        Regex.IsMatch(module, $@"^(?:.*\.)?(?:{key})$", RegexOptions.None, RegexTimeout);

    private static bool FullMatch(string regex, string module) =>
        Regex.IsMatch(module, $"^(?:{regex})$", RegexOptions.None, RegexTimeout);
}
