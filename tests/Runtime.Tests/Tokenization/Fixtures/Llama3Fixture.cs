using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Peft.Runtime.Tests.Tokenization.Fixtures;

/// <summary>
/// A Llama-3-style byte-level BPE: Llama 3's Split regex then ByteLevel without regex, <c>ignore_merges</c>,
/// merges in the newer ["a", "b"] pair form, Llama 3.1's special tokens (all added and special), and a
/// TemplateProcessing post-processor that puts &lt;|begin_of_text|&gt; first. The merges are trained by
/// <see cref="TinyBpeTrainer"/> on <see cref="Corpus"/>, so multi-byte characters get merged the way real
/// vocabularies merge them: some whole, some split across tokens.
/// </summary>
internal static class Llama3Fixture
{
    public const string Pattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    public const int MergeCount = 320;

    /// <summary>A vocabulary entry no merge produces: only <c>ignore_merges</c> makes " zyzzyva" one token.</summary>
    public const string WholeWord = "Ġzyzzyva";

    public static readonly string[] SpecialTokens =
    [
        "<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>", "<|reserved_special_token_1|>",
        "<|finetune_right_pad_id|>", "<|reserved_special_token_2|>", "<|start_header_id|>", "<|end_header_id|>",
        "<|eom_id|>", "<|eot_id|>", "<|python_tag|>",
    ];

    public const string Corpus = """
        The tokenizer turns text into tokens, and the detokenizer turns tokens back into text.
        The adapters share the base model; the base model stays on the device while the adapters change.
        Hello world! Hello again, world. It's a small world, isn't it? We'll see. They've said they'd come.
        Numbers: 12345, 2024, 3.14159, 1000000 and 42. Prices: $19.99, €20, £7.
        def encode(self, text: str) -> list[int]:
            return [self.vocab[token] for token in self.split(text)]
        for (int i = 0; i < count; i++) { total += values[i]; }
        中文分词很重要。我们的模型可以处理中文文本。中文和英文混合的文本也可以。
        日本語のテキストも少し。こんにちは世界。
        Emoji: 😀😀😀 🎉🎉 👍 ❤️ 🚀 — they are split into bytes.
        Café, naïve, résumé, façade, jalapeño, Zürich, Ångström.
        Привет, мир! Это тест токенизатора.

        The end of the text.
        """;

    public static int BeginOfText => 256 + MergeCount + 1;

    public static int Special(string name) => BeginOfText + Array.IndexOf(SpecialTokens, name);

    public static Dictionary<string, byte[]> Files()
    {
        var merges = TinyBpeTrainer.Train(Corpus, new Regex(Pattern), MergeCount);
        if (merges.Count != MergeCount)
            throw new InvalidOperationException($"the corpus gave only {merges.Count} merges");

        var vocab = new JsonObject();
        IReadOnlyList<char> symbols = FixtureJson.Gpt2ByteSymbols();
        for (int id = 0; id < symbols.Count; id++)
            vocab[symbols[id].ToString()] = id;
        for (int i = 0; i < merges.Count; i++)
            vocab[merges[i].Left + merges[i].Right] = 256 + i;
        if (vocab.ContainsKey(WholeWord))
            throw new InvalidOperationException($"{WholeWord} must not be reachable by merges");
        vocab[WholeWord] = 256 + MergeCount;

        var added = new JsonArray();
        for (int i = 0; i < SpecialTokens.Length; i++)
            added.Add(FixtureJson.AddedToken(SpecialTokens[i], special: true, id: BeginOfText + i));

        var tokenizer = new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = added,
            ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject
                    {
                        ["type"] = "Split",
                        ["pattern"] = new JsonObject { ["Regex"] = Pattern },
                        ["behavior"] = "Isolated",
                        ["invert"] = false,
                    },
                    new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = false }),
            },
            ["post_processor"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["processors"] = new JsonArray(
                    new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = false, ["use_regex"] = true },
                    Template()),
            },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = true, ["use_regex"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = null,
                ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false,
                ["byte_fallback"] = false,
                ["ignore_merges"] = true,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray([.. merges.Select(m => new JsonArray(m.Left, m.Right))]),
            },
        };
        var config = new JsonObject
        {
            ["added_tokens_decoder"] = FixtureJson.AddedTokensDecoder(SpecialTokens.Select((t, i) => (BeginOfText + i, t, true))),
            ["bos_token"] = "<|begin_of_text|>",
            ["clean_up_tokenization_spaces"] = true,
            ["eos_token"] = "<|eot_id|>",
            ["model_input_names"] = new JsonArray("input_ids", "attention_mask"),
            ["model_max_length"] = 131072,
            ["tokenizer_class"] = "PreTrainedTokenizerFast",
        };
        var generation = new JsonObject
        {
            ["bos_token_id"] = BeginOfText,
            ["eos_token_id"] = new JsonArray(Special("<|end_of_text|>"), Special("<|eom_id|>"), Special("<|eot_id|>")),
        };
        return new()
        {
            ["tokenizer.json"] = FixtureJson.Bytes(tokenizer),
            ["tokenizer_config.json"] = FixtureJson.Bytes(config),
            ["generation_config.json"] = FixtureJson.Bytes(generation),
        };
    }

    private static JsonObject Template()
    {
        JsonObject Item(string kind, string id) => new() { [kind] = new JsonObject { ["id"] = id, ["type_id"] = 0 } };
        return new JsonObject
        {
            ["type"] = "TemplateProcessing",
            ["single"] = new JsonArray(Item("SpecialToken", "<|begin_of_text|>"), Item("Sequence", "A")),
            ["pair"] = new JsonArray(
                Item("SpecialToken", "<|begin_of_text|>"), Item("Sequence", "A"),
                Item("SpecialToken", "<|begin_of_text|>"), Item("Sequence", "B")),
            ["special_tokens"] = new JsonObject
            {
                ["<|begin_of_text|>"] = new JsonObject
                {
                    ["id"] = "<|begin_of_text|>",
                    ["ids"] = new JsonArray(BeginOfText),
                    ["tokens"] = new JsonArray("<|begin_of_text|>"),
                },
            },
        };
    }
}
