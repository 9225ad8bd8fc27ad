namespace Peft.Runtime.Tokenization;

/// <summary>
/// A token matched in the input text before the model sees it, as in Hugging Face's added vocabulary:
/// <c>tokenizer.json</c> <c>added_tokens</c>, <c>tokenizer_config.json</c> <c>added_tokens_decoder</c>, and the
/// control, unknown and user-defined pieces of a SentencePiece model. <see cref="Special"/> tokens are the ones
/// that <c>skip_special_tokens</c> drops when decoding. <see cref="LStrip"/> / <see cref="RStrip"/> make a match
/// swallow the whitespace next to it.
/// </summary>
internal sealed record AddedToken(int Id, string Content, bool Special, bool LStrip = false, bool RStrip = false);
