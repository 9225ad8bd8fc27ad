using System.Text.RegularExpressions;

namespace Peft.Tools.DemoModel.Tokenizer;

/// <summary>
/// Splits text into the pieces BPE works inside (merges never cross a piece boundary), with GPT-2's regex, which is
/// what a Hugging Face <c>ByteLevel</c> pre-tokenizer with <c>use_regex: true</c> and <c>add_prefix_space: false</c> uses.
/// </summary>
/// <remarks>
/// .NET matches UTF-16 code units, so a letter or digit outside the Basic Multilingual Plane (rare CJK, some scripts)
/// falls into the punctuation branch here where Rust's regex sees <c>\p{L}</c>. Pieces still never split a surrogate
/// pair (both halves are in the same branch), so encoding stays lossless; only the token boundaries can differ from
/// Hugging Face's for such text. The generated corpus is ASCII.
/// </remarks>
internal static partial class Gpt2PreTokenizer
{
    public const string Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    public static partial Regex Regex();

    /// <summary>The pieces of <paramref name="text"/> as (start, length); together they cover the text exactly.</summary>
    public static Regex.ValueMatchEnumerator Split(ReadOnlySpan<char> text) => Regex().EnumerateMatches(text);
}
