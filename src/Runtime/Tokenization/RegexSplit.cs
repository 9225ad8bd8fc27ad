using System.Text.RegularExpressions;

namespace Peft.Runtime.Tokenization;

/// <summary>
/// Hugging Face's <c>Split</c> pre-tokenizer with <c>behavior: "Isolated"</c>: every match becomes a piece, and so
/// does every stretch of text between matches (so no text is ever dropped, even if the pattern misses some).
/// </summary>
internal sealed class RegexSplit(Regex pattern)
{
    /// <summary>GPT-2's pattern, which the ByteLevel pre-tokenizer applies when <c>use_regex</c> is true.</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    public Regex Pattern { get; } = pattern;

    /// <summary>Refines each (start, length) piece of <paramref name="text"/> into its matches and the gaps between them.</summary>
    public List<(int Start, int Length)> Refine(string text, List<(int Start, int Length)> pieces)
    {
        var result = new List<(int Start, int Length)>(pieces.Count * 2);
        foreach ((int start, int length) in pieces)
        {
            int cursor = start;
            foreach (ValueMatch match in Pattern.EnumerateMatches(text.AsSpan(start, length)))
            {
                if (match.Length == 0)
                    continue;
                int matchStart = start + match.Index;
                if (matchStart > cursor)
                    result.Add((cursor, matchStart - cursor));
                result.Add((matchStart, match.Length));
                cursor = matchStart + match.Length;
            }
            if (cursor < start + length)
                result.Add((cursor, start + length - cursor));
        }
        return result;
    }
}
