using System.Text.RegularExpressions;
using Peft.Runtime.Tokenization;

namespace Peft.Runtime.Tests.Tokenization.Fixtures;

/// <summary>
/// A deliberately plain byte-level BPE trainer for fixtures: pre-tokenize with the model's regex, spell each
/// piece in GPT-2 byte symbols, then repeatedly merge the most frequent adjacent pair (ties: ordinal order of
/// the pair), recording each merge. Pairs seen once are merged too once the frequent ones run out, so a small
/// corpus still yields enough merges. Deterministic, so the generated files are reproducible.
/// </summary>
internal static class TinyBpeTrainer
{
    public static List<(string Left, string Right)> Train(string corpus, Regex preTokenizer, int mergeCount)
    {
        var words = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (ValueMatch match in preTokenizer.EnumerateMatches(corpus))
        {
            string spelled = ByteLevelAlphabet.Spell(corpus.AsSpan(match.Index, match.Length));
            words[spelled] = words.GetValueOrDefault(spelled) + 1;
        }
        List<(List<string> Symbols, int Count)> corpusWords =
            [.. words.OrderBy(w => w.Key, StringComparer.Ordinal).Select(w => (w.Key.Select(c => c.ToString()).ToList(), w.Value))];

        var merges = new List<(string, string)>();
        while (merges.Count < mergeCount)
        {
            var pairCounts = new Dictionary<(string, string), int>();
            foreach ((List<string> symbols, int count) in corpusWords)
                for (int i = 0; i + 1 < symbols.Count; i++)
                    pairCounts[(symbols[i], symbols[i + 1])] = pairCounts.GetValueOrDefault((symbols[i], symbols[i + 1])) + count;
            if (pairCounts.Count == 0)
                break;
            var best = pairCounts
                .OrderByDescending(p => p.Value)
                .ThenBy(p => p.Key.Item1, StringComparer.Ordinal)
                .ThenBy(p => p.Key.Item2, StringComparer.Ordinal)
                .First();
            merges.Add(best.Key);
            foreach ((List<string> symbols, _) in corpusWords)
                for (int i = 0; i + 1 < symbols.Count; i++)
                    if (symbols[i] == best.Key.Item1 && symbols[i + 1] == best.Key.Item2)
                    {
                        symbols[i] += symbols[i + 1];
                        symbols.RemoveAt(i + 1);
                    }
        }
        return merges;
    }
}
