namespace Peft.Runtime.Tokenization;

/// <summary>
/// Encodes one run of plain text, one that contains no added tokens (<see cref="AddedTokenMatcher"/> has taken
/// those out). Implementations wrap a Microsoft.ML.Tokenizers model and add what Hugging Face's pipeline does
/// around it (normalizer, pre-tokenizer).
/// </summary>
internal interface ISegmentEncoder
{
    void Encode(string text, List<int> ids);
}
