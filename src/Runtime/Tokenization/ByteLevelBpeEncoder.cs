using System.Text;
using Microsoft.ML.Tokenizers;

namespace Peft.Runtime.Tokenization;

/// <summary>
/// Byte-level BPE (GPT-2, Llama 3, Qwen2): Hugging Face's normalizer and pre-tokenizer steps, then
/// Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/> (with <c>ByteLevel</c> on) for the merges of each piece.
/// </summary>
internal sealed class ByteLevelBpeEncoder : ISegmentEncoder
{
    private readonly BpeTokenizer _bpe;
    private readonly IReadOnlyList<RegexSplit> _splits;
    private readonly bool _addPrefixSpace;
    private readonly bool _nfc;
    private readonly IReadOnlyDictionary<string, int>? _wholeWords;
    private readonly PieceChunker _chunker;

    /// <param name="bpe">The merges model; called once per pre-tokenized piece, with its own pre-tokenizer off.</param>
    /// <param name="splits">Split patterns in pipeline order; each refines the pieces of the one before.</param>
    /// <param name="addPrefixSpace">ByteLevel's <c>add_prefix_space</c>: a space before text that lacks one.</param>
    /// <param name="nfc">The NFC normalizer (Qwen2).</param>
    /// <param name="wholeWords">
    /// The vocabulary when the model sets <c>ignore_merges</c> (Llama 3): a piece that is itself a vocabulary
    /// entry is that entry, whatever the merges would make of it, as in tiktoken.
    /// </param>
    /// <param name="chunker">Cuts pieces too long to encode in one go (<see cref="PieceChunker"/>).</param>
    public ByteLevelBpeEncoder(BpeTokenizer bpe, IReadOnlyList<RegexSplit> splits, bool addPrefixSpace, bool nfc,
        IReadOnlyDictionary<string, int>? wholeWords, PieceChunker chunker)
    {
        _chunker = chunker;
        _bpe = bpe;
        _splits = splits;
        _addPrefixSpace = addPrefixSpace;
        _nfc = nfc;
        _wholeWords = wholeWords;
    }

    public void Encode(string text, List<int> ids, CancellationToken cancellationToken)
    {
        if (_nfc)
            text = text.Normalize(NormalizationForm.FormC);
        if (_addPrefixSpace && !text.StartsWith(' '))
            text = " " + text;
        List<(int Start, int Length)> pieces = [(0, text.Length)];
        foreach (RegexSplit split in _splits)
            pieces = split.Refine(text, pieces);
        foreach ((int start, int length) in pieces)
        {
            var piece = text.AsMemory(start, length);
            if (_wholeWords is not null && length <= _chunker.MaxChunkChars && _wholeWords.TryGetValue(ByteLevelAlphabet.Spell(piece.Span), out int id))
            {
                ids.Add(id);
                continue;
            }
            foreach ((int chunkStart, int chunkLength) in _chunker.Chunks(piece))
            {
                cancellationToken.ThrowIfCancellationRequested();
                ids.AddRange(_bpe.EncodeToIds(piece.Span.Slice(chunkStart, chunkLength), considerPreTokenization: false, considerNormalization: false));
            }
        }
    }
}
