using System.Text.Json.Nodes;

namespace Peft.Runtime.Tests.Tokenization.Fixtures;

/// <summary>
/// A GPT-2-style byte-level BPE: GPT-2's 256 byte symbols as ids 0..255 (so 'Ġ' is 220 and 'Ċ' 198, as in
/// GPT-2), then hand-picked merges whose results the tests can derive by hand, then &lt;|endoftext|&gt;.
/// Merges are in the older "a b" string form.
/// </summary>
internal static class Gpt2Fixture
{
    /// <summary>In rank order; merge i makes token 256 + i.</summary>
    public static readonly string[] Merges =
    [
        "Ġ t", "h e", "Ġt he",                       // 256 Ġt, 257 he, 258 Ġthe
        "l l", "H e", "He ll", "Hell o",              // 259 ll, 260 He, 261 Hell, 262 Hello
        "Ġ w", "o r", "Ġw or", "Ġwor l", "Ġworl d",  // 263 Ġw, 264 or, 265 Ġwor, 266 Ġworl, 267 Ġworld
        "Ċ Ċ",                                        // 268 "\n\n"
        "ä ¸", "ä¸ Ń",                               // 269, 270 中 (E4 B8 AD)
        "æ ĸ",                                        // 271: the first two bytes of 文 (E6 96 87)
        "Ģ ð",                                        // 272: the end of one emoji and the start of the next
        "ð Ł", "ðŁ ĺ",                               // 273, 274 ðŁĺ: the first three bytes of 😀 (F0 9F 98 80)
        "Ġ a", "i n", "Ġa n", "Ġan d",                // 275 Ġa, 276 in, 277 Ġan, 278 Ġand
        "1 2",                                        // 279 12
    ];

    public const int EndOfText = 256 + 24;

    public static Dictionary<string, byte[]> Files()
    {
        var vocab = new JsonObject();
        IReadOnlyList<char> symbols = FixtureJson.Gpt2ByteSymbols();
        for (int id = 0; id < symbols.Count; id++)
            vocab[symbols[id].ToString()] = id;
        for (int i = 0; i < Merges.Length; i++)
            vocab[Merges[i].Replace(" ", "", StringComparison.Ordinal)] = 256 + i;
        vocab["<|endoftext|>"] = EndOfText;

        var byteLevel = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true };
        var tokenizer = new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(FixtureJson.AddedToken("<|endoftext|>", special: true, id: EndOfText)),
            ["normalizer"] = null,
            ["pre_tokenizer"] = byteLevel.DeepClone(),
            ["post_processor"] = byteLevel.DeepClone(),
            ["decoder"] = byteLevel.DeepClone(),
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = null,
                ["continuing_subword_prefix"] = "",
                ["end_of_word_suffix"] = "",
                ["fuse_unk"] = false,
                ["byte_fallback"] = false,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray([.. Merges.Select(m => JsonValue.Create(m))]),
            },
        };
        var config = new JsonObject
        {
            ["add_bos_token"] = false,
            ["add_prefix_space"] = false,
            ["added_tokens_decoder"] = FixtureJson.AddedTokensDecoder([(EndOfText, "<|endoftext|>", true)]),
            ["bos_token"] = "<|endoftext|>",
            ["clean_up_tokenization_spaces"] = false,
            ["eos_token"] = "<|endoftext|>",
            ["model_max_length"] = 1024,
            ["tokenizer_class"] = "GPT2Tokenizer",
            ["unk_token"] = "<|endoftext|>",
        };
        var generation = new JsonObject { ["bos_token_id"] = EndOfText, ["eos_token_id"] = EndOfText };
        return new()
        {
            ["tokenizer.json"] = FixtureJson.Bytes(tokenizer),
            ["tokenizer_config.json"] = FixtureJson.Bytes(config),
            ["generation_config.json"] = FixtureJson.Bytes(generation),
        };
    }
}
