using Microsoft.ML.Tokenizers;

namespace Peft.Runtime.Tokenization;

/// <summary>
/// SentencePiece BPE (Llama 2, Mistral) through Microsoft.ML.Tokenizers, which applies the model's own
/// normalizer: spaces become '▁', a '▁' dummy prefix goes in front, characters outside the vocabulary fall back
/// to &lt;0xNN&gt; byte pieces. BOS/EOS are the caller's business (<see cref="ModelTokenizer.Encode"/>).
/// </summary>
/// <remarks>
/// Every run of text between added tokens gets the dummy prefix, as Hugging Face's tokenizer.json for Llama 2 and
/// Mistral does (its Prepend("▁") normalizer runs per run): "a&lt;/s&gt;b" is ▁a &lt;/s&gt; ▁b. The slow tokenizer's
/// <c>legacy: false</c> mode, which prefixes only the start of the whole text, is not reproduced.
/// </remarks>
internal sealed class SentencePieceEncoder(SentencePieceTokenizer model) : ISegmentEncoder
{
    /// <remarks>The library encodes a run in time about linear in its length (merges through a priority queue), so
    /// a run is one call; the caller bounds its length in bytes.</remarks>
    public void Encode(string text, List<int> ids, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ids.AddRange(model.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false));
    }
}
