namespace Peft.Tools.DemoModel.Tokenizer;

/// <summary>
/// How often each pre-token occurs in the training text. BPE training runs over these counts, not over the text: 10 MB
/// of generated stories hold a few thousand distinct pre-tokens, so the merge loop never touches the text again.
/// </summary>
internal sealed class PreTokenCounts
{
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, long> Counts => _counts;

    public long TotalPreTokens { get; private set; }

    public void Add(ReadOnlySpan<char> text)
    {
        // The alternate lookup finds existing entries by span, so only a new distinct pre-token allocates a string.
        var lookup = _counts.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var match in Gpt2PreTokenizer.Split(text))
        {
            var piece = text.Slice(match.Index, match.Length);
            lookup[piece] = lookup.TryGetValue(piece, out long count) ? count + 1 : 1;
            TotalPreTokens++;
        }
    }

    public static PreTokenCounts Of(ReadOnlySpan<char> text)
    {
        var counts = new PreTokenCounts();
        counts.Add(text);
        return counts;
    }
}
