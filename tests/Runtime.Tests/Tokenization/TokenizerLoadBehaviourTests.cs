using System.Text;
using System.Text.Json.Nodes;
using Peft.Runtime.Tests.Tokenization.Fixtures;
using Peft.Runtime.Tokenization;

namespace Peft.Runtime.Tests.Tokenization;

/// <summary>Which file decides what, on copies of the fixtures with one setting changed.</summary>
public sealed class TokenizerLoadBehaviourTests
{
    private const string Sample = "Hello world, the 中文 😀 and\nmore: 12345 <s> </s>";

    [Fact]
    public void A_sentencepiece_style_tokenizer_json_is_served_from_tokenizer_model_with_its_added_tokens()
    {
        using var directory = TempModelDirectory.CopyOf(FixturePaths.SentencePiece);
        directory.Write("tokenizer.json", SentencePieceStyleJson.Text(extraAddedTokens: [(299, "<|tool|>")]));
        ModelTokenizer tokenizer = ModelTokenizer.Load(directory.Path);
        ModelTokenizer reference = FixtureTokenizers.Get(FixturePaths.SentencePiece);

        Assert.Equal(reference.Encode(Sample), tokenizer.Encode(Sample));
        Assert.Equal([1, 299, 266], tokenizer.Encode("<|tool|>Hello"));
        Assert.True(tokenizer.IsSpecial(299));
        Assert.Equal(300, tokenizer.VocabSize);
    }

    [Fact]
    public void Special_tokens_map_fills_in_tokens_that_tokenizer_config_leaves_out()
    {
        using var directory = TempModelDirectory.CopyOf(FixturePaths.Gpt2);
        directory.Delete("generation_config.json");
        directory.EditJson("tokenizer_config.json", root =>
        {
            root.Remove("bos_token");
            root.Remove("eos_token");
        });
        directory.Write("special_tokens_map.json", """{"bos_token": "<|endoftext|>", "eos_token": {"content": "<|endoftext|>"}}""");
        ModelTokenizer tokenizer = ModelTokenizer.Load(directory.Path);
        Assert.Equal(Gpt2Fixture.EndOfText, tokenizer.BosTokenId);
        Assert.Equal([Gpt2Fixture.EndOfText], tokenizer.EosTokenIds);
    }

    [Fact]
    public void Without_config_tokens_the_sentencepiece_model_supplies_bos_and_eos()
    {
        using var directory = TempModelDirectory.CopyOf(FixturePaths.SentencePiece);
        directory.Delete("tokenizer_config.json");
        directory.Delete("generation_config.json");
        ModelTokenizer tokenizer = ModelTokenizer.Load(directory.Path);
        Assert.Equal(1, tokenizer.BosTokenId);
        Assert.Equal([2], tokenizer.EosTokenIds);
        Assert.True(tokenizer.AddBosToken); // LlamaTokenizer's default
        Assert.Equal(SentencePieceFixture.PieceCount, tokenizer.VocabSize);
    }

    [Fact]
    public void Add_bos_and_add_eos_in_tokenizer_config_override_the_defaults()
    {
        using var directory = TempModelDirectory.CopyOf(FixturePaths.SentencePiece);
        directory.EditJson("tokenizer_config.json", root =>
        {
            root["add_bos_token"] = false;
            root["add_eos_token"] = true;
        });
        ModelTokenizer tokenizer = ModelTokenizer.Load(directory.Path);
        Assert.False(tokenizer.AddBosToken);
        Assert.Equal([266, 2], tokenizer.Encode("Hello"));
    }

    [Fact]
    public void Add_bos_false_in_tokenizer_config_overrides_the_template()
    {
        using var directory = TempModelDirectory.CopyOf(FixturePaths.Llama3);
        directory.EditJson("tokenizer_config.json", root => root["add_bos_token"] = false);
        ModelTokenizer tokenizer = ModelTokenizer.Load(directory.Path);
        Assert.False(tokenizer.AddBosToken);
        Assert.Equal(tokenizer.Encode("Hello", addSpecialTokens: false), tokenizer.Encode("Hello"));
    }

    [Fact]
    public void A_template_with_a_token_after_the_text_appends_it()
    {
        using var directory = TempModelDirectory.CopyOf(FixturePaths.Llama3);
        int endOfText = Llama3Fixture.Special("<|end_of_text|>");
        directory.EditJson("tokenizer.json", root =>
        {
            JsonNode template = root["post_processor"]!["processors"]![1]!;
            template["single"]!.AsArray().Add(new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "<|end_of_text|>", ["type_id"] = 0 } });
            template["special_tokens"]!["<|end_of_text|>"] = new JsonObject { ["id"] = "<|end_of_text|>", ["ids"] = new JsonArray(endOfText) };
        });
        IReadOnlyList<int> ids = ModelTokenizer.Load(directory.Path).Encode("Hi");
        Assert.Equal(Llama3Fixture.BeginOfText, ids[0]);
        Assert.Equal(endOfText, ids[^1]);
    }

    [Fact]
    public void Merges_as_strings_and_as_pairs_encode_alike()
    {
        using var directory = TempModelDirectory.CopyOf(FixturePaths.Llama3);
        directory.EditJson("tokenizer.json", root =>
        {
            JsonArray merges = root["model"]!["merges"]!.AsArray();
            root["model"]!["merges"] = new JsonArray([.. merges.Select(pair => JsonValue.Create($"{pair![0]} {pair[1]}"))]);
        });
        ModelTokenizer strings = ModelTokenizer.Load(directory.Path);
        ModelTokenizer pairs = FixtureTokenizers.Get(FixturePaths.Llama3);
        Assert.Equal(pairs.Encode(Llama3Fixture.Corpus), strings.Encode(Llama3Fixture.Corpus));
    }

    [Fact]
    public void Qwen2s_split_pattern_takes_digits_one_at_a_time()
    {
        using var directory = TempModelDirectory.CopyOf(FixturePaths.Llama3);
        const string qwen2 = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
        directory.EditJson("tokenizer.json", root =>
            root["pre_tokenizer"]!["pretokenizers"]![0]!["pattern"] = new JsonObject { ["Regex"] = qwen2 });
        ModelTokenizer tokenizer = ModelTokenizer.Load(directory.Path);
        ModelTokenizer llama3 = FixtureTokenizers.Get(FixturePaths.Llama3);
        Assert.Equal(llama3.Encode("1"), tokenizer.Encode("1"));
        Assert.Equal(5, tokenizer.Encode("12345", addSpecialTokens: false).Count);
        Assert.Equal("12345", tokenizer.Decode(tokenizer.Encode("12345")));
    }

    [Fact]
    public void Byte_level_add_prefix_space_puts_a_space_before_text_that_lacks_one()
    {
        using var directory = TempModelDirectory.CopyOf(FixturePaths.Gpt2);
        directory.EditJson("tokenizer.json", root => root["pre_tokenizer"]!["add_prefix_space"] = true);
        ModelTokenizer tokenizer = ModelTokenizer.Load(directory.Path);
        Assert.Equal([220, 262], tokenizer.Encode("Hello"));  // Ġ, Hello: no "ĠHello" merge
        Assert.Equal([267], tokenizer.Encode(" world"));      // already starts with a space
        Assert.Equal([258, Gpt2Fixture.EndOfText, 258], tokenizer.Encode("the<|endoftext|>the")); // every run of text
    }

    [Fact]
    public void Lstrip_and_rstrip_added_tokens_swallow_the_whitespace_next_to_them()
    {
        using var directory = TempModelDirectory.CopyOf(FixturePaths.Gpt2);
        directory.EditJson("tokenizer.json", root =>
        {
            root["added_tokens"]![0]!["lstrip"] = true;
            root["added_tokens"]![0]!["rstrip"] = true;
        });
        ModelTokenizer tokenizer = ModelTokenizer.Load(directory.Path);
        Assert.Equal([262, Gpt2Fixture.EndOfText, 262], tokenizer.Encode("Hello  <|endoftext|> \nHello"));
    }

    [Fact]
    public void The_nfc_normalizer_composes_text_or_is_refused_where_the_runtime_cannot_normalize()
    {
        using var directory = TempModelDirectory.CopyOf(FixturePaths.Llama3);
        directory.EditJson("tokenizer.json", root => root["normalizer"] = new JsonObject { ["type"] = "NFC" });
        bool runtimeNormalizes = "e\u0301".Normalize(NormalizationForm.FormC) == "\u00e9";
        if (runtimeNormalizes)
        {
            ModelTokenizer tokenizer = ModelTokenizer.Load(directory.Path);
            Assert.Equal(tokenizer.Encode("Caf\u00e9"), tokenizer.Encode("Cafe\u0301"));
        }
        else
        {
            // This test project runs with InvariantGlobalization, like the server.
            var error = Assert.Throws<TokenizerLoadException>(() => ModelTokenizer.Load(directory.Path));
            Assert.StartsWith("tokenizer.json: normalizer: the NFC normalizer needs Unicode normalization", error.Message, StringComparison.Ordinal);
        }
    }
}
