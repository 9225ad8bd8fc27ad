using Peft.Runtime.Models;

namespace Peft.Runtime.Adapters.Targeting;

/// <summary>Names a trained adapter's config uses for its modules, as short as PEFT's suffix matching allows.</summary>
internal static class ModuleNames
{
    /// <summary>
    /// For each chosen site, the shortest dot-separated suffix of its path that, among <paramref name="among"/>, ends
    /// only chosen paths (q_proj; GPT-2's mlp.c_proj where attn.c_proj is not chosen), sorted and distinct.
    /// </summary>
    public static IReadOnlyList<string> Suffixes(IReadOnlyCollection<LinearSite> chosen, IEnumerable<LinearSite> among)
    {
        var paths = chosen.Select(s => s.Path).ToHashSet(StringComparer.Ordinal);
        var others = among.Select(s => s.Path).Where(p => !paths.Contains(p)).ToArray();
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string path in paths)
        {
            var parts = path.Split('.');
            for (int n = 1; n <= parts.Length; n++)
            {
                string suffix = string.Join('.', parts[^n..]);
                if (n == parts.Length || !others.Any(o => o == suffix || o.EndsWith("." + suffix, StringComparison.Ordinal)))
                {
                    names.Add(suffix);
                    break;
                }
            }
        }
        return [.. names];
    }
}
