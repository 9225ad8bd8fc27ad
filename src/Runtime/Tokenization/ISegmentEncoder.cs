namespace Peft.Runtime.Tokenization;

/// <summary>
/// Encodes one run of plain text, one that contains no added tokens (<see cref="AddedTokenMatcher"/> has taken
/// those out). Implementations wrap a Microsoft.ML.Tokenizers model and add what Hugging Face's pipeline does
/// around it (normalizer, pre-tokenizer).
/// </summary>
internal interface ISegmentEncoder
{
    /// <summary>Appends the ids of <paramref name="text"/>; checks <paramref name="cancellationToken"/> between
    /// pieces, so a caller that gave up stops the work within one bounded piece.</summary>
    void Encode(string text, List<int> ids, CancellationToken cancellationToken);
}
