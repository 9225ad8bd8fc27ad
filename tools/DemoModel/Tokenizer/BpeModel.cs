using System.Collections.Concurrent;
using System.Text;

namespace Peft.Tools.DemoModel.Tokenizer;

/// <summary>
/// A byte-level BPE tokenizer: vocabulary, ranked merges and special tokens, with the encoder and decoder that
/// Hugging Face's <c>tokenizers</c> would run for the same <c>tokenizer.json</c>. Immutable; safe to share.
/// </summary>
/// <remarks>
/// Encoding, as Hugging Face does it: split the text on special tokens; split the rest with the GPT-2 regex; map each
/// piece's UTF-8 bytes to byte symbols; then, repeatedly, merge every occurrence (left to right) of the adjacent pair
/// whose merge has the lowest rank, until no adjacent pair has a merge. (HF pops a heap of (rank, position); since a
/// merge's result only takes part in later-ranked merges, both orders give the same tokens.)
/// </remarks>
internal sealed class BpeModel
{
    private const int CacheLimit = 1 << 16;

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;
    private readonly BpeMerge[] _merges;
    private readonly Dictionary<long, int> _rankByPair;
    private readonly int[] _byteIds = new int[256];
    private readonly SpecialToken[] _specials;
    private readonly ConcurrentDictionary<string, int[]> _pieceCache = new(StringComparer.Ordinal);

    /// <param name="tokens">Token text by id: byte-level symbols for ordinary tokens, the literal content for specials.</param>
    /// <param name="specials">Special tokens; each must be at its id in <paramref name="tokens"/>.</param>
    /// <param name="merges">Merge rules in rank order, as token texts.</param>
    public BpeModel(IReadOnlyList<string> tokens, IReadOnlyList<SpecialToken> specials, IReadOnlyList<(string Left, string Right)> merges)
    {
        _tokens = [.. tokens];
        _ids = new Dictionary<string, int>(_tokens.Length, StringComparer.Ordinal);
        for (int id = 0; id < _tokens.Length; id++)
        {
            if (!_ids.TryAdd(_tokens[id], id))
                throw new InvalidDataException($"Token '{_tokens[id]}' appears twice in the vocabulary (ids {_ids[_tokens[id]]} and {id}).");
        }

        _specials = [.. specials.OrderByDescending(s => s.Content.Length)]; // longest first: the leftmost-longest match wins
        foreach (var special in _specials)
        {
            if ((uint)special.Id >= (uint)_tokens.Length || _tokens[special.Id] != special.Content)
                throw new InvalidDataException($"Special token '{special.Content}' is not at id {special.Id} of the vocabulary.");
        }

        for (int b = 0; b < 256; b++)
        {
            string symbol = ByteLevelAlphabet.ToChar((byte)b).ToString();
            _byteIds[b] = _ids.TryGetValue(symbol, out int id)
                ? id
                : throw new InvalidDataException($"The vocabulary lacks the byte symbol '{symbol}' (byte {b}); byte-level BPE needs all 256.");
        }

        _merges = new BpeMerge[merges.Count];
        _rankByPair = new Dictionary<long, int>(merges.Count);
        for (int rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            var merge = new BpeMerge(IdOf(left, rank), IdOf(right, rank), IdOf(left + right, rank));
            if (!_rankByPair.TryAdd(BpeMerge.Key(merge.Left, merge.Right), rank))
                throw new InvalidDataException($"Merge {rank} '{left} {right}' repeats an earlier merge.");
            _merges[rank] = merge;
        }
    }

    public int VocabSize => _tokens.Length;

    public IReadOnlyList<string> Tokens => _tokens;

    public IReadOnlyList<BpeMerge> Merges => _merges;

    public IReadOnlyList<SpecialToken> Specials => _specials;

    public int BosId => SpecialId(SpecialToken.Bos);

    public int EosId => SpecialId(SpecialToken.Eos);

    public int SpecialId(string content) =>
        _specials.FirstOrDefault(s => s.Content == content)?.Id ?? throw new InvalidOperationException($"No special token '{content}'.");

    public bool TryGetId(string token, out int id) => _ids.TryGetValue(token, out id);

    /// <summary>Token ids for <paramref name="text"/>; with <paramref name="addBos"/>, BOS first (what the post-processor adds).</summary>
    public List<int> Encode(string text, bool addBos = false)
    {
        var ids = new List<int>(text.Length / 3 + 2);
        if (addBos) ids.Add(BosId);
        int start = 0;
        while (start < text.Length)
        {
            var (at, special) = FindSpecial(text, start);
            EncodeOrdinary(text.AsSpan(start, at - start), ids);
            if (special is null) break;
            ids.Add(special.Id);
            start = at + special.Content.Length;
        }
        return ids;
    }

    /// <summary>The text of <paramref name="ids"/>; special tokens decode to their content. Invalid UTF-8 (a cut
    /// multi-byte character) becomes U+FFFD, as Hugging Face's decode does.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        var bytes = new List<byte>();
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)_tokens.Length) throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id outside the vocabulary of {_tokens.Length}.");
            string token = _tokens[id];
            if (IsSpecial(id))
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(token));
                continue;
            }
            foreach (char c in token)
                bytes.Add(ByteLevelAlphabet.TryToByte(c, out byte b) ? b : throw new InvalidDataException($"Token {id} '{token}' holds '{c}', which is not a byte symbol."));
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }

    public bool IsSpecial(int id) => _specials.Any(s => s.Id == id);

    private int IdOf(string token, int rank) =>
        _ids.TryGetValue(token, out int id) ? id : throw new InvalidDataException($"Merge {rank} needs token '{token}', which is not in the vocabulary.");

    /// <summary>The leftmost special token at or after <paramref name="start"/> (longest on ties), or the end of the text.</summary>
    private (int At, SpecialToken? Special) FindSpecial(string text, int start)
    {
        int best = text.Length;
        SpecialToken? found = null;
        foreach (var special in _specials)
        {
            int at = text.IndexOf(special.Content, start, best - start, StringComparison.Ordinal);
            if (at >= 0 && at < best)
            {
                best = at;
                found = special;
            }
        }
        return (best, found);
    }

    private void EncodeOrdinary(ReadOnlySpan<char> text, List<int> ids)
    {
        var cache = _pieceCache.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var match in Gpt2PreTokenizer.Split(text))
        {
            var piece = text.Slice(match.Index, match.Length);
            if (!cache.TryGetValue(piece, out int[]? pieceIds))
            {
                pieceIds = EncodePiece(piece);
                if (_pieceCache.Count < CacheLimit) cache.TryAdd(piece, pieceIds);
            }
            ids.AddRange(pieceIds);
        }
    }

    private int[] EncodePiece(ReadOnlySpan<char> piece)
    {
        byte[] utf8 = new byte[Encoding.UTF8.GetByteCount(piece)];
        Encoding.UTF8.GetBytes(piece, utf8);
        var symbols = new int[utf8.Length];
        for (int i = 0; i < utf8.Length; i++) symbols[i] = _byteIds[utf8[i]];
        int length = symbols.Length;

        while (length > 1)
        {
            int bestRank = int.MaxValue;
            for (int i = 0; i + 1 < length; i++)
            {
                if (_rankByPair.TryGetValue(BpeMerge.Key(symbols[i], symbols[i + 1]), out int rank) && rank < bestRank) bestRank = rank;
            }
            if (bestRank == int.MaxValue) break;
            length = MergeAll(symbols, length, _merges[bestRank]);
        }
        return symbols[..length];
    }

    /// <summary>Replaces every non-overlapping occurrence of the merge's pair, left to right; returns the new length.</summary>
    internal static int MergeAll(int[] symbols, int length, BpeMerge merge)
    {
        int write = 0;
        for (int read = 0; read < length; read++)
        {
            if (read + 1 < length && symbols[read] == merge.Left && symbols[read + 1] == merge.Right)
            {
                symbols[write++] = merge.Result;
                read++;
            }
            else
            {
                symbols[write++] = symbols[read];
            }
        }
        return write;
    }
}
