namespace Peft.Tools.DemoModel.Tokenizer;

/// <summary>
/// A token matched as a whole string before pre-tokenization and never split or merged (Hugging Face "added token"
/// with <c>special: true</c>, <c>normalized: false</c>).
/// </summary>
internal sealed record SpecialToken(int Id, string Content)
{
    public const string Bos = "<s>";
    public const string Eos = "</s>";
    public const string Pad = "<pad>";

    /// <summary>
    /// The demo tokenizer's specials, at the front of the vocabulary: <c>&lt;s&gt;</c> = 0 (BOS, added in front of every
    /// encoded text), <c>&lt;/s&gt;</c> = 1 (EOS, ends each training document and completion), <c>&lt;pad&gt;</c> = 2
    /// (batch padding, always masked). No <c>&lt;unk&gt;</c>: 256 byte symbols spell any input.
    /// </summary>
    public static IReadOnlyList<SpecialToken> Defaults { get; } = [new(0, Bos), new(1, Eos), new(2, Pad)];
}
