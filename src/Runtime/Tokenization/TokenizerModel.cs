namespace Peft.Runtime.Tokenization;

/// <summary>
/// What one tokenizer file (tokenizer.json or tokenizer.model) contributes, before tokenizer_config.json and
/// generation_config.json are applied by <see cref="TokenizerDirectoryLoader"/>.
/// </summary>
/// <param name="Source">The file it came from, for messages.</param>
/// <param name="Encoder">Encodes text that contains no added tokens.</param>
/// <param name="Vocabulary">The model's own vocabulary: token spelling to id.</param>
/// <param name="BytesOf">The bytes a vocabulary entry or added token decodes to.</param>
/// <param name="AddedTokens">Added tokens the file itself declares.</param>
/// <param name="Defaults">What the file says about special tokens when the configs say nothing.</param>
/// <param name="StripLeadingSpace">Decoding drops one leading space (SentencePiece's dummy prefix).</param>
internal sealed record TokenizerModel(
    string Source,
    ISegmentEncoder Encoder,
    IReadOnlyDictionary<string, int> Vocabulary,
    Func<string, byte[]> BytesOf,
    IReadOnlyList<AddedToken> AddedTokens,
    SpecialTokenDefaults Defaults,
    bool StripLeadingSpace);

/// <summary>
/// Special tokens as a tokenizer file defines them: the ids <c>encode(add_special_tokens=True)</c> puts before
/// and after the text (tokenizer.json's post-processor template; SentencePiece: BOS first), and the roles the
/// file assigns (SentencePiece's trainer_spec ids; tokenizer.json assigns none).
/// </summary>
internal sealed record SpecialTokenDefaults(
    IReadOnlyList<int> Prefix,
    IReadOnlyList<int> Suffix,
    int? Bos = null,
    int? Eos = null,
    int? Unk = null,
    int? Pad = null)
{
    public static SpecialTokenDefaults None { get; } = new([], []);
}
