using System.Text.Json.Nodes;
using Peft.Runtime.Tests.Tokenization.Fixtures;
using Peft.Runtime.Tokenization;

namespace Peft.Runtime.Tests.Tokenization;

/// <summary>Every way a model directory can be unusable ends in a TokenizerLoadException that names file and field.</summary>
public sealed class TokenizerLoadErrorTests
{
    private static TokenizerLoadException LoadFails(TempModelDirectory directory) =>
        Assert.Throws<TokenizerLoadException>(() => ModelTokenizer.Load(directory.Path));

    [Fact]
    public void A_missing_directory_is_named()
    {
        string path = Path.Combine(Path.GetTempPath(), $"peft-no-such-{Guid.NewGuid():N}");
        var error = Assert.Throws<TokenizerLoadException>(() => ModelTokenizer.Load(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_without_a_tokenizer_file_says_which_files_were_expected()
    {
        using var directory = TempModelDirectory.Empty();
        directory.Write("config.json", "{}");
        var error = LoadFails(directory);
        Assert.Contains("no tokenizer in", error.Message, StringComparison.Ordinal);
        Assert.Contains("tokenizer.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("tokenizer.model", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tokenizer.json")]
    [InlineData("tokenizer_config.json")]
    [InlineData("generation_config.json")]
    public void Bad_json_names_the_file(string file)
    {
        using var directory = TempModelDirectory.CopyOf(FixturePaths.Gpt2);
        directory.Write(file, "{\"model\": {\"type\": \"BPE\", ");
        Assert.StartsWith($"{file} is not valid JSON", LoadFails(directory).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("WordPiece")]
    [InlineData("Unigram")]
    [InlineData("WordLevel")]
    public void An_unsupported_model_type_is_named(string type)
    {
        using var directory = TempModelDirectory.CopyOf(FixturePaths.Gpt2);
        directory.EditJson("tokenizer.json", root => root["model"]!["type"] = type);
        Assert.StartsWith($"tokenizer.json: model: model type '{type}' is not supported", LoadFails(directory).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unsupported_pre_tokenizer_is_named_with_its_path()
    {
        using var directory = TempModelDirectory.CopyOf(FixturePaths.Llama3);
        directory.EditJson("tokenizer.json", root => root["pre_tokenizer"]!["pretokenizers"]!.AsArray().Insert(0, new JsonObject
        {
            ["type"] = "Digits",
            ["individual_digits"] = true,
        }));
        Assert.StartsWith("tokenizer.json: pre_tokenizer.pretokenizers[0]: pre-tokenizer 'Digits' is not supported",
            LoadFails(directory).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unsupported_normalizer_is_named()
    {
        using var directory = TempModelDirectory.CopyOf(FixturePaths.Gpt2);
        directory.EditJson("tokenizer.json", root => root["normalizer"] = new JsonObject { ["type"] = "Lowercase" });
        Assert.StartsWith("tokenizer.json: normalizer: normalizer [Lowercase] is not supported", LoadFails(directory).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_split_behavior_other_than_isolated_is_named()
    {
        using var directory = TempModelDirectory.CopyOf(FixturePaths.Llama3);
        directory.EditJson("tokenizer.json", root => root["pre_tokenizer"]!["pretokenizers"]![0]!["behavior"] = "MergedWithPrevious");
        Assert.Contains("Split behavior 'MergedWithPrevious' is not supported", LoadFails(directory).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_regex_that_dotnet_cannot_compile_is_refused_not_approximated()
    {
        using var directory = TempModelDirectory.CopyOf(FixturePaths.Llama3);
        // Possessive quantifiers are Oniguruma syntax that .NET lacks.
        directory.EditJson("tokenizer.json", root =>
            root["pre_tokenizer"]!["pretokenizers"]![0]!["pattern"] = new JsonObject { ["Regex"] = @"\p{L}++|\s+" });
        var error = LoadFails(directory);
        Assert.StartsWith("tokenizer.json: pre_tokenizer.pretokenizers[0].pattern: .NET cannot compile the pre-tokenizer regex", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_byte_level_tokenizer_with_another_decoder_is_refused()
    {
        using var directory = TempModelDirectory.CopyOf(FixturePaths.Gpt2);
        directory.EditJson("tokenizer.json", root => root["decoder"] = new JsonObject { ["type"] = "WordPiece", ["prefix"] = "##" });
        Assert.StartsWith("tokenizer.json: decoder: decoder [WordPiece] is not supported", LoadFails(directory).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_merge_of_tokens_missing_from_the_vocabulary_is_refused()
    {
        using var directory = TempModelDirectory.CopyOf(FixturePaths.Gpt2);
        directory.EditJson("tokenizer.json", root => root["model"]!["merges"]!.AsArray().Add("Hello Ġworld"));
        var error = LoadFails(directory);
        Assert.StartsWith("tokenizer.json: model: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("HelloĠworld", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_vocabulary_entries_with_one_id_are_refused()
    {
        using var directory = TempModelDirectory.CopyOf(FixturePaths.Gpt2);
        directory.EditJson("tokenizer.json", root => root["model"]!["vocab"]!["HelloHello"] = 262);
        Assert.StartsWith("tokenizer.json: model: ", LoadFails(directory).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sentencepiece_style_tokenizer_json_without_tokenizer_model_is_refused()
    {
        using var directory = TempModelDirectory.Empty();
        directory.Write("tokenizer.json", SentencePieceStyleJson.Text(extraAddedTokens: []));
        var error = LoadFails(directory);
        Assert.Contains("SentencePiece-style", error.Message, StringComparison.Ordinal);
        Assert.Contains("tokenizer.model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_token_that_is_no_token_names_the_file_and_field()
    {
        using var directory = TempModelDirectory.CopyOf(FixturePaths.Gpt2);
        directory.EditJson("tokenizer_config.json", root => root["bos_token"] = "<nope>");
        Assert.Equal("tokenizer_config.json: bos_token: '<nope>' is not a token of this tokenizer", LoadFails(directory).Message);
    }

    [Fact]
    public void A_config_token_object_that_is_no_token_names_the_file_and_field()
    {
        using var directory = TempModelDirectory.CopyOf(FixturePaths.SentencePiece);
        directory.EditJson("tokenizer_config.json", root => root["eos_token"]!["content"] = "<eos>");
        Assert.Equal("tokenizer_config.json: eos_token: '<eos>' is not a token of this tokenizer", LoadFails(directory).Message);
    }

    [Fact]
    public void A_generation_config_eos_that_is_not_an_id_names_the_file_and_field()
    {
        using var directory = TempModelDirectory.CopyOf(FixturePaths.Llama3);
        directory.EditJson("generation_config.json", root => root["eos_token_id"] = new JsonArray(1, "two"));
        Assert.StartsWith("generation_config.json: eos_token_id[1]: expected a 32-bit integer", LoadFails(directory).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Added_tokens_that_disagree_between_files_name_both()
    {
        using var directory = TempModelDirectory.CopyOf(FixturePaths.Gpt2);
        directory.EditJson("tokenizer_config.json", root =>
            root["added_tokens_decoder"]![Gpt2Fixture.EndOfText.ToString(System.Globalization.CultureInfo.InvariantCulture)]!["content"] = "<|end|>");
        Assert.Equal(
            $"token id {Gpt2Fixture.EndOfText} is '<|endoftext|>' in tokenizer.json but '<|end|>' in tokenizer_config.json added_tokens_decoder",
            LoadFails(directory).Message);
    }

    [Fact]
    public void Single_word_added_tokens_are_refused()
    {
        using var directory = TempModelDirectory.CopyOf(FixturePaths.Gpt2);
        directory.EditJson("tokenizer.json", root => root["added_tokens"]![0]!["single_word"] = true);
        Assert.StartsWith("tokenizer.json: added_tokens[0]: single_word added tokens are not supported", LoadFails(directory).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_eos_token_without_an_eos_token_is_refused()
    {
        using var directory = TempModelDirectory.CopyOf(FixturePaths.Gpt2);
        directory.EditJson("tokenizer_config.json", root =>
        {
            root.Remove("eos_token");
            root["add_eos_token"] = true;
        });
        Assert.Equal("tokenizer_config.json: add_eos_token is true but there is no eos_token", LoadFails(directory).Message);
    }

    [Fact]
    public void A_tokenizer_model_that_is_not_a_model_is_refused()
    {
        using var directory = TempModelDirectory.Empty();
        directory.Write("tokenizer.model", "this is a text file, not a protobuf message\n"u8.ToArray());
        Assert.StartsWith("tokenizer.model", LoadFails(directory).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_unigram_sentencepiece_model_is_refused_by_field()
    {
        using var directory = TempModelDirectory.Empty();
        byte[] unigram = SentencePieceModelWriter.Write(
            [new("<unk>", 0, SentencePieceType.Unknown), new("▁a", -1, SentencePieceType.Normal)], 0, -1, -1, -1,
            modelType: SentencePieceModelType.Unigram);
        directory.Write("tokenizer.model", unigram);
        Assert.Equal("tokenizer.model: trainer_spec.model_type UNIGRAM is not supported (only BPE)", LoadFails(directory).Message);
    }
}
