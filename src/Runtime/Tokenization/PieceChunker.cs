namespace Peft.Runtime.Tokenization;

/// <summary>
/// Cuts a long pre-tokenized piece into chunks the BPE model encodes one by one, so the cost of a piece grows
/// linearly with its length: Microsoft.ML.Tokenizers' merge loop takes time in the square of a piece's length
/// (a 3.9 MB word kept a core busy for minutes). Pieces up to <see cref="DefaultMaxChunkChars"/> are left whole.
/// </summary>
/// <remarks>
/// Exact where it matters: a cut goes, when it can, between two characters whose touching bytes (the last UTF-8
/// byte of the one, the first of the other) sit side by side in no vocabulary entry. No merge can then produce a
/// token across the cut, so encoding the two sides apart gives exactly the tokens of the whole (every merge of the
/// whole lies on one side, in the same order). Only a piece with no such place in the last half of a chunk, which
/// real text of a trained vocabulary practically never has over hundreds of characters, is cut at the limit, and
/// may then differ from Hugging Face in the few tokens around the cut.
/// </remarks>
internal sealed class PieceChunker
{
    /// <summary>Longest piece encoded in one go: far above any word, small enough that its quadratic cost is noise.</summary>
    public const int DefaultMaxChunkChars = 512;

    private readonly bool[] _joined = new bool[256 * 256];

    /// <param name="vocabulary">Byte-level spellings (<see cref="ByteLevelAlphabet"/>) of every token.</param>
    /// <param name="maxChunkChars">Tests raise it to encode long pieces whole, as the reference.</param>
    public PieceChunker(IEnumerable<string> vocabulary, int maxChunkChars = DefaultMaxChunkChars)
    {
        MaxChunkChars = maxChunkChars;
        foreach (string token in vocabulary)
        {
            for (int i = 1; i < token.Length; i++)
            {
                if (ByteLevelAlphabet.TryByteOf(token[i - 1], out byte left) && ByteLevelAlphabet.TryByteOf(token[i], out byte right))
                    _joined[left << 8 | right] = true;
            }
        }
    }

    public int MaxChunkChars { get; }

    /// <summary>The chunks of <paramref name="piece"/> as (start, length) within it; the piece itself when short.</summary>
    public IEnumerable<(int Start, int Length)> Chunks(ReadOnlyMemory<char> piece)
    {
        int start = 0;
        while (piece.Length - start > MaxChunkChars)
        {
            int cut = Cut(piece.Span, start);
            yield return (start, cut - start);
            start = cut;
        }
        yield return (start, piece.Length - start);
    }

    /// <summary>Whether a cut before <paramref name="at"/> is one no token can span (see the remarks).</summary>
    public bool IsSafeCut(ReadOnlySpan<char> piece, int at) =>
        at > 0 && at < piece.Length && !char.IsLowSurrogate(piece[at]) && !_joined[LastByte(piece, at - 1) << 8 | FirstByte(piece, at)];

    /// <summary>Where the chunk starting at <paramref name="start"/> ends: the last safe place in its second half,
    /// else the limit (never inside a surrogate pair).</summary>
    private int Cut(ReadOnlySpan<char> piece, int start)
    {
        int limit = start + MaxChunkChars;
        for (int at = limit; at > start + MaxChunkChars / 2; at--)
            if (IsSafeCut(piece, at)) return at;
        return char.IsLowSurrogate(piece[limit]) ? limit - 1 : limit;
    }

    /// <summary>The first UTF-8 byte of the character starting at <paramref name="at"/>.</summary>
    private static int FirstByte(ReadOnlySpan<char> text, int at)
    {
        char c = text[at];
        if (char.IsHighSurrogate(c) && at + 1 < text.Length && char.IsLowSurrogate(text[at + 1]))
            return 0xF0 | char.ConvertToUtf32(c, text[at + 1]) >> 18;
        return c < 0x80 ? c : c < 0x800 ? 0xC0 | c >> 6 : 0xE0 | c >> 12;
    }

    /// <summary>The last UTF-8 byte of the character ending at <paramref name="at"/>.</summary>
    private static int LastByte(ReadOnlySpan<char> text, int at)
    {
        char c = text[at];
        return c < 0x80 ? c : 0x80 | (c & 0x3F);
    }
}
