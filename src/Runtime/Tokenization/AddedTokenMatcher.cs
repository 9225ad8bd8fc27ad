using System.Buffers;

namespace Peft.Runtime.Tokenization;

/// <summary>
/// Splits text at added tokens, so that "&lt;|eot_id|&gt;" in a prompt encodes to its id instead of being cut
/// into pieces. Matching follows Hugging Face's added vocabulary: leftmost, then longest, on the raw text.
/// </summary>
internal sealed class AddedTokenMatcher
{
    private readonly TrieNode _root = new();
    private readonly SearchValues<char> _firstChars;
    private readonly Dictionary<string, AddedToken> _byContent = new(StringComparer.Ordinal);

    public AddedTokenMatcher(IEnumerable<AddedToken> tokens)
    {
        var firstChars = new HashSet<char>();
        foreach (AddedToken token in tokens)
        {
            if (token.Content.Length == 0)
                continue;
            TrieNode node = _root;
            foreach (char c in token.Content)
            {
                node.Children ??= [];
                if (!node.Children.TryGetValue(c, out TrieNode? next))
                    node.Children[c] = next = new TrieNode();
                node = next;
            }
            node.Token = token;
            _byContent[token.Content] = token;
            firstChars.Add(token.Content[0]);
        }
        _firstChars = SearchValues.Create([.. firstChars]);
    }

    public bool TryGet(string content, out AddedToken token) => _byContent.TryGetValue(content, out token!);

    /// <summary>
    /// The text as alternating plain-text pieces and added tokens, in order. Plain pieces are never empty.
    /// </summary>
    public List<TextPiece> Split(string text)
    {
        var pieces = new List<TextPiece>();
        int plainStart = 0;
        int searchFrom = 0;
        while (searchFrom < text.Length)
        {
            int offset = text.AsSpan(searchFrom).IndexOfAny(_firstChars);
            if (offset < 0)
                break;
            int start = searchFrom + offset;
            if (LongestMatchAt(text, start) is not { } match)
            {
                searchFrom = start + 1;
                continue;
            }
            int end = start + match.Content.Length;
            if (match.LStrip)
                while (start > plainStart && char.IsWhiteSpace(text[start - 1]))
                    start--;
            if (match.RStrip)
                while (end < text.Length && char.IsWhiteSpace(text[end]))
                    end++;
            if (start > plainStart)
                pieces.Add(TextPiece.Plain(plainStart, start - plainStart));
            pieces.Add(TextPiece.Added(match.Id));
            plainStart = searchFrom = end;
        }
        if (plainStart < text.Length)
            pieces.Add(TextPiece.Plain(plainStart, text.Length - plainStart));
        return pieces;
    }

    private AddedToken? LongestMatchAt(string text, int start)
    {
        AddedToken? longest = null;
        TrieNode node = _root;
        for (int i = start; i < text.Length; i++)
        {
            if (node.Children is null || !node.Children.TryGetValue(text[i], out TrieNode? next))
                break;
            node = next;
            longest = node.Token ?? longest;
        }
        return longest;
    }

    private sealed class TrieNode
    {
        public Dictionary<char, TrieNode>? Children;
        public AddedToken? Token;
    }
}

/// <summary>A run of plain text (<see cref="TokenId"/> is -1) or one added token.</summary>
internal readonly record struct TextPiece(int Start, int Length, int TokenId)
{
    public static TextPiece Plain(int start, int length) => new(start, length, -1);

    public static TextPiece Added(int tokenId) => new(0, 0, tokenId);

    public bool IsAddedToken => TokenId >= 0;
}
