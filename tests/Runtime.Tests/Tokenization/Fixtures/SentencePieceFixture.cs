using System.Text.Json.Nodes;
using Peft.Runtime.Tokenization;

namespace Peft.Runtime.Tests.Tokenization.Fixtures;

/// <summary>
/// A Llama-2-style SentencePiece BPE tokenizer.model laid out like Llama 2's: &lt;unk&gt; &lt;s&gt; &lt;/s&gt;, the 256
/// byte-fallback pieces &lt;0x00&gt;..&lt;0xFF&gt; (ids 3..258), merged pieces by descending score, then single
/// characters. Characters outside it (newline, 文, emoji) encode as byte pieces. tokenizer_config.json adds two
/// chat tokens past the model's vocabulary, as fine-tunes do.
/// </summary>
internal static class SentencePieceFixture
{
    /// <summary>Merged pieces from id 259; SentencePiece BPE merges the pair whose result scores highest.</summary>
    public static readonly string[] MergedPieces =
    [
        "▁t", "he", "▁the", "ll", "▁H", "▁He", "llo", "▁Hello",    // 259..266
        "▁w", "or", "ld", "▁wor", "▁world", "▁▁", "▁a", "nd", "▁and", // 267..275
    ];

    /// <summary>Single characters from id 276.</summary>
    public static readonly string[] Characters =
        ["▁", "e", "t", "a", "o", "h", "n", "l", "d", "r", "w", "s", "i", "c", "H", "W", ",", ".", "!", "é", "中"];

    public const int PieceCount = 259 + 17 + 21; // 297
    public const int ImStart = PieceCount;
    public const int ImEnd = PieceCount + 1;

    public static Dictionary<string, byte[]> Files()
    {
        var pieces = new List<SentencePieceModelWriter.Piece>
        {
            new("<unk>", 0, SentencePieceType.Unknown),
            new("<s>", 0, SentencePieceType.Control),
            new("</s>", 0, SentencePieceType.Control),
        };
        for (int b = 0; b < 256; b++)
            pieces.Add(new($"<0x{b:X2}>", 0, SentencePieceType.Byte));
        for (int i = 0; i < MergedPieces.Length; i++)
            pieces.Add(new(MergedPieces[i], -i, SentencePieceType.Normal));
        for (int i = 0; i < Characters.Length; i++)
            pieces.Add(new(Characters[i], -100 - i, SentencePieceType.Normal));
        if (pieces.Count != PieceCount)
            throw new InvalidOperationException($"expected {PieceCount} pieces, made {pieces.Count}");

        JsonObject Token(string content) => new()
        {
            ["__type"] = "AddedToken",
            ["content"] = content,
            ["lstrip"] = false,
            ["normalized"] = false,
            ["rstrip"] = false,
            ["single_word"] = false,
        };
        var config = new JsonObject
        {
            ["add_bos_token"] = true,
            ["add_eos_token"] = false,
            ["added_tokens_decoder"] = FixtureJson.AddedTokensDecoder(
                [(0, "<unk>", true), (1, "<s>", true), (2, "</s>", true), (ImStart, "<|im_start|>", true), (ImEnd, "<|im_end|>", true)]),
            ["bos_token"] = Token("<s>"),
            ["clean_up_tokenization_spaces"] = false,
            ["eos_token"] = Token("</s>"),
            ["legacy"] = true,
            ["model_max_length"] = 4096,
            ["pad_token"] = null,
            ["sp_model_kwargs"] = new JsonObject(),
            ["tokenizer_class"] = "LlamaTokenizer",
            ["unk_token"] = "<unk>",
        };
        var generation = new JsonObject { ["bos_token_id"] = 1, ["eos_token_id"] = new JsonArray(2, ImEnd) };
        return new()
        {
            ["tokenizer.model"] = SentencePieceModelWriter.Write(pieces, unkId: 0, bosId: 1, eosId: 2, padId: -1),
            ["tokenizer_config.json"] = FixtureJson.Bytes(config),
            ["generation_config.json"] = FixtureJson.Bytes(generation),
        };
    }
}
