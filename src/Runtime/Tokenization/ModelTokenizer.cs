using System.Buffers;
using System.Text;

namespace Peft.Runtime.Tokenization;

/// <summary>
/// The tokenizer of a Hugging Face model directory: encodes prompts, decodes and streams generated tokens.
/// Immutable and safe to share between threads; <see cref="IncrementalDetokenizer"/> instances are not.
/// </summary>
/// <remarks>
/// Encoding goes through Microsoft.ML.Tokenizers (BpeTokenizer for byte-level BPE, LlamaTokenizer for
/// SentencePiece), behind Hugging Face's added-token matching and pre-tokenization (see
/// <see cref="TokenizerDirectoryLoader"/> for which files decide what). Decoding is ours: every id maps to fixed
/// bytes (<see cref="TokenTable"/>), which is what lets <see cref="IncrementalDetokenizer"/> agree with
/// <see cref="Decode"/> exactly. Decode matches Hugging Face's <c>decode</c>, except that it ignores
/// <c>clean_up_tokenization_spaces</c>, and that an invalid UTF-8 run in SentencePiece byte-fallback tokens
/// becomes one U+FFFD per maximal invalid subsequence (Unicode's recommendation, as byte-level decoding does)
/// where HF's ByteFallback writes one per byte of the run.
/// </remarks>
public sealed class ModelTokenizer
{
    private readonly ISegmentEncoder _encoder;
    private readonly AddedTokenMatcher _addedTokens;
    private readonly TokenTable _tokens;
    private readonly bool _stripLeadingSpace;
    private readonly IReadOnlyList<int> _prefix;
    private readonly IReadOnlyList<int> _suffix;

    internal ModelTokenizer(ISegmentEncoder encoder, AddedTokenMatcher addedTokens, TokenTable tokens,
        bool stripLeadingSpace, IReadOnlyList<int> prefix, IReadOnlyList<int> suffix, int? bosTokenId,
        IReadOnlyList<int> eosTokenIds)
    {
        _encoder = encoder;
        _addedTokens = addedTokens;
        _tokens = tokens;
        _stripLeadingSpace = stripLeadingSpace;
        _prefix = prefix;
        _suffix = suffix;
        BosTokenId = bosTokenId;
        EosTokenIds = eosTokenIds;
    }

    /// <summary>Loads the tokenizer of a model directory (tokenizer.json and/or tokenizer.model, plus configs).</summary>
    /// <exception cref="TokenizerLoadException">no tokenizer file, a malformed one, or an unsupported component; the message names the file and field.</exception>
    public static ModelTokenizer Load(string modelDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelDirectory);
        return TokenizerDirectoryLoader.Load(modelDirectory);
    }

    /// <summary>One more than the largest token id (vocabulary and added tokens), like <c>len(tokenizer)</c>.</summary>
    public int VocabSize => _tokens.Count;

    public int? BosTokenId { get; }

    /// <summary>Ids that end generation: the tokenizer's EOS, then generation_config.json's eos_token_id(s).</summary>
    public IReadOnlyList<int> EosTokenIds { get; }

    /// <summary>Whether <c>Encode(text, addSpecialTokens: true)</c> starts with <see cref="BosTokenId"/>.</summary>
    public bool AddBosToken => _prefix.Count > 0 && _prefix[0] == BosTokenId;

    /// <summary>
    /// Token ids for <paramref name="text"/>. Added tokens written in the text ("&lt;|eot_id|&gt;") become their ids.
    /// With <paramref name="addSpecialTokens"/>, the ids the tokenizer puts around a text (BOS, per config) are added.
    /// </summary>
    /// <remarks>Time grows linearly with the text's length (long pieces are cut, <see cref="PieceChunker"/>), and
    /// <paramref name="cancellationToken"/> is checked between pieces; callers bound the length first (a request's
    /// prompt by bytes, <see cref="Validation.PromptText"/>).</remarks>
    /// <exception cref="OperationCanceledException">The caller gave up.</exception>
    public IReadOnlyList<int> Encode(string text, bool addSpecialTokens = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 2);
        if (addSpecialTokens)
            ids.AddRange(_prefix);
        foreach (TextPiece piece in _addedTokens.Split(text))
        {
            if (piece.IsAddedToken)
                ids.Add(piece.TokenId);
            else
                _encoder.Encode(text.Substring(piece.Start, piece.Length), ids, cancellationToken);
        }
        if (addSpecialTokens)
            ids.AddRange(_suffix);
        return ids;
    }

    /// <summary>
    /// The text of <paramref name="ids"/>. Special tokens are dropped or written out per
    /// <paramref name="skipSpecialTokens"/>; ids that are no token (past <see cref="VocabSize"/>) are dropped, as
    /// Hugging Face does; invalid UTF-8 becomes U+FFFD.
    /// </summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var bytes = new ArrayBufferWriter<byte>();
        foreach (int id in ids)
        {
            if (skipSpecialTokens && _tokens.IsSpecial(id))
                continue;
            bytes.Write(_tokens.BytesOf(id));
        }
        string text = Encoding.UTF8.GetString(bytes.WrittenSpan);
        return _stripLeadingSpace && text.StartsWith(' ') ? text[1..] : text;
    }

    /// <summary>
    /// One token's own text, for logprobs: its bytes as UTF-8 (a token holding part of a character gives U+FFFD),
    /// special tokens as written, "" for an id that is no token. No leading space is stripped.
    /// </summary>
    public string TokenText(int id) => Encoding.UTF8.GetString(_tokens.BytesOf(id));

    /// <summary>One token's own bytes (UTF-8, possibly part of a character; special tokens as written; empty for an id
    /// that is no token): what OpenAI's logprobs report as <c>bytes</c>.</summary>
    public ReadOnlySpan<byte> TokenBytes(int id) => _tokens.BytesOf(id);

    public bool IsSpecial(int id) => _tokens.IsSpecial(id);

    public IncrementalDetokenizer CreateDetokenizer(bool skipSpecialTokens = true) =>
        new(_tokens, skipSpecialTokens, _stripLeadingSpace);
}
