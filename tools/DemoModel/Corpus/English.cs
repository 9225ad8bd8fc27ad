namespace Peft.Tools.DemoModel.Corpus;

/// <summary>The few rules of English morphology the grammar needs, kept in one place.</summary>
internal static class English
{
    private static readonly string[] NumberWords =
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];

    /// <summary>"a" or "an" by the first letter; the lexicon avoids words where the sound disagrees ("a unicorn", "an hour").</summary>
    public static string WithArticle(string phrase) => (StartsWithVowel(phrase) ? "an " : "a ") + phrase;

    public static bool StartsWithVowel(string word) => word.Length > 0 && "aeiouAEIOU".Contains(word[0], StringComparison.Ordinal);

    public static string Capitalize(string text) =>
        text.Length == 0 || char.IsUpper(text[0]) ? text : string.Concat(char.ToUpperInvariant(text[0]).ToString(), text.AsSpan(1));

    public static int MaxNumberWord => NumberWords.Length - 1;

    public static string NumberWord(int n) => (uint)n < (uint)NumberWords.Length
        ? NumberWords[n]
        : throw new ArgumentOutOfRangeException(nameof(n), n, $"Only 0..{MaxNumberWord} have words here.");

    /// <summary>"one, two, three": how a child counts aloud up to <paramref name="n"/>.</summary>
    public static string CountAloud(int n) => string.Join(", ", Enumerable.Range(1, n).Select(NumberWord));
}
