using System.Text.Json;
using System.Text.RegularExpressions;
using Peft.Runtime.Json;
using Peft.Runtime.Models;

namespace Peft.Runtime.Adapters.Targeting;

/// <summary>
/// Which modules a PEFT config targets, by the rule every PEFT tuner shares: a list entry matches a module name
/// that equals it or ends with "." + entry (then layers_to_transform may restrict by layer index); a string is a
/// regex that must match the whole name; exclude_modules removes matches the same way.
/// </summary>
internal sealed record ModuleTargets
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(200);

    /// <summary>A list of module-name suffixes, or (when <see cref="TargetRegex"/> is set) nothing.</summary>
    public IReadOnlyList<string> TargetList { get; init; } = [];
    /// <summary>A single string: a regex that must match a whole module name.</summary>
    public string? TargetRegex { get; init; }
    public IReadOnlyList<string> ExcludeList { get; init; } = [];
    public string? ExcludeRegex { get; init; }
    /// <summary>Null: every layer.</summary>
    public IReadOnlyList<int>? LayersToTransform { get; init; }
    public IReadOnlyList<string> LayersPattern { get; init; } = [];

    public static ModuleTargets Read(JsonFields f)
    {
        var targets = new ModuleTargets
        {
            // An int or a list of ints; a fraction or a string is refused by name, not thrown as a fault.
            LayersToTransform = f.Has("layers_to_transform") ? f.IntOrList("layers_to_transform") : null,
            LayersPattern = f.Raw("layers_pattern") switch
            {
                null => [],
                { ValueKind: JsonValueKind.String } s => [s.GetString()!],
                _ => f.OptionalStringList("layers_pattern") ?? [],
            },
        };
        targets = f.Raw("target_modules") switch
        {
            { ValueKind: JsonValueKind.String } s => targets with { TargetRegex = s.GetString() },
            { ValueKind: JsonValueKind.Array } => targets with { TargetList = f.OptionalStringList("target_modules")! },
            null => throw new AdapterLoadException($"{f.File}: target_modules is not set (PEFT writes the resolved list on save)"),
            _ => throw f.Invalid("target_modules", "a list of module names or a regex string"),
        };
        return f.Raw("exclude_modules") switch
        {
            null => targets,
            { ValueKind: JsonValueKind.String } s => targets with { ExcludeRegex = s.GetString() },
            { ValueKind: JsonValueKind.Array } => targets with { ExcludeList = f.OptionalStringList("exclude_modules")! },
            _ => throw f.Invalid("exclude_modules", "a list of module names or a regex string"),
        };
    }

    /// <summary>
    /// A config given to the training API may name its targets with PEFT's shorthand "all-linear" (every linear of
    /// the decoder blocks; PEFT expands it before saving, so saved configs never hold it).
    /// </summary>
    public static ModuleTargets ReadForTraining(JsonFields f, BaseModel baseModel) =>
        f.Raw("target_modules") is { ValueKind: JsonValueKind.String } s && s.GetString() == "all-linear"
            ? Read(f) with { TargetRegex = null, TargetList = [.. baseModel.Sites.Select(site => site.Name).Distinct()] }
            : Read(f);

    public bool Matches(string module)
    {
        bool found;
        if (TargetRegex is { } regex)
        {
            found = FullMatch(regex, module);
        }
        else if (TargetList.Contains(module))
        {
            // PEFT accepts an exact name before looking at layers_to_transform.
            found = true;
        }
        else
        {
            found = TargetList.Any(t => module.EndsWith("." + t, StringComparison.Ordinal));
            if (found && LayersToTransform is { Count: > 0 } layers)
                found = LayerIndex(module, LayersPattern) is { } index && layers.Contains(index);
        }
        return found && !Excluded(module);
    }

    /// <summary>
    /// The targeted linear sites of the decoder blocks (and the head when <paramref name="head"/> may be targeted),
    /// after checking that every listed target exists and that nothing the server cannot adapt is named.
    /// </summary>
    /// <param name="owner">Who the messages are about: "adapter 'x'", or the training API's field.</param>
    public LinearSite[] Linears(string owner, BaseModel baseModel, string method, bool head, bool embedding)
    {
        var unserved = baseModel.UnservedModules
            .Concat(head ? [] : [baseModel.Head.Path])
            .Concat(embedding ? [] : [baseModel.EmbeddingPath])
            .Where(Matches).ToArray();
        if (unserved.Length > 0)
            throw new AdapterLoadException($"{owner}: {method} on {string.Join(", ", unserved)} is not supported (only linear layers inside the decoder blocks{(head ? ", the LM head" : "")}{(embedding ? " and the token embedding" : "")})");
        var targeted = baseModel.Sites.Concat(head ? [baseModel.Head] : []).Where(s => Matches(s.Path)).ToArray();
        if (TargetRegex is null)
        {
            string[] names = [.. baseModel.AllLinears.Select(s => s.Path), baseModel.EmbeddingPath];
            var missing = TargetList.Where(t => !names.Any(n => n == t || n.EndsWith("." + t, StringComparison.Ordinal))).ToArray();
            if (missing.Length > 0)
                throw new AdapterLoadException(
                    $"{owner}: target modules {string.Join(", ", missing)} not found in the base model ({baseModel.Config.Architecture}, " +
                    $"whose adapter targets are {string.Join(", ", baseModel.Sites.Select(s => s.Name).Distinct())})");
        }
        if (targeted.Length == 0 && !(embedding && Matches(baseModel.EmbeddingPath)))
            throw new AdapterLoadException($"{owner}: target_modules matches no layer of the base model ({baseModel.Config.Architecture})");
        return targeted;
    }

    private bool Excluded(string module) => ExcludeRegex is { } regex
        ? FullMatch(regex, module)
        : ExcludeList.Any(e => module == e || module.EndsWith("." + e, StringComparison.Ordinal));

    private static int? LayerIndex(string module, IReadOnlyList<string> patterns)
    {
        var match = patterns.Count == 0
            ? Regex.Match(module, @"^.*\.[^.]*\.(\d+)\.", RegexOptions.None, RegexTimeout)
            : patterns.Select(p => Regex.Match(module, $@"^.*\.{p}\.(\d+)\.", RegexOptions.None, RegexTimeout)).FirstOrDefault(m => m.Success);
        return match is { Success: true } ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    internal static bool FullMatch(string regex, string module) =>
        Regex.IsMatch(module, $"^(?:{regex})$", RegexOptions.None, RegexTimeout);
}
