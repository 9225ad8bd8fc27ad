using System.Text.Json;
using Peft.Tools.DemoModel.Tokenizer;

namespace Peft.Tools.Tests.Tokenizer;

public sealed class TokenizerJsonTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("demo-tokenizer-");

    public TokenizerJsonTests() => TokenizerFiles.Save(_dir, DemoTokenizer.Model, modelMaxLength: 512);

    public void Dispose() => _dir.Delete(recursive: true);

    private JsonElement Read(string file) => JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir.FullName, file))).RootElement;

    [Fact]
    public void Tokenizer_json_has_every_field_of_the_hf_format()
    {
        var root = Read("tokenizer.json");
        Assert.Equal(["version", "truncation", "padding", "added_tokens", "normalizer", "pre_tokenizer", "post_processor", "decoder", "model"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("1.0", root.GetProperty("version").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("normalizer").ValueKind);

        var added = root.GetProperty("added_tokens").EnumerateArray().ToList();
        Assert.Equal(["<s>", "</s>", "<pad>"], added.Select(t => t.GetProperty("content").GetString()));
        Assert.All(added, t => Assert.Equal(["id", "content", "single_word", "lstrip", "rstrip", "normalized", "special"], t.EnumerateObject().Select(p => p.Name)));
        Assert.All(added, t => Assert.True(t.GetProperty("special").GetBoolean()));

        var pre = root.GetProperty("pre_tokenizer");
        Assert.Equal("ByteLevel", pre.GetProperty("type").GetString());
        Assert.False(pre.GetProperty("add_prefix_space").GetBoolean());
        Assert.True(pre.GetProperty("use_regex").GetBoolean());
        Assert.Equal("ByteLevel", root.GetProperty("decoder").GetProperty("type").GetString());

        var post = root.GetProperty("post_processor");
        Assert.Equal("TemplateProcessing", post.GetProperty("type").GetString());
        Assert.Equal("<s>", post.GetProperty("single")[0].GetProperty("SpecialToken").GetProperty("id").GetString());
        Assert.Equal("A", post.GetProperty("single")[1].GetProperty("Sequence").GetProperty("id").GetString());
        Assert.Equal(0, post.GetProperty("special_tokens").GetProperty("<s>").GetProperty("ids")[0].GetInt32());

        var model = root.GetProperty("model");
        Assert.Equal(["type", "dropout", "unk_token", "continuing_subword_prefix", "end_of_word_suffix", "fuse_unk", "byte_fallback", "ignore_merges", "vocab", "merges"],
            model.EnumerateObject().Select(p => p.Name));
        Assert.Equal("BPE", model.GetProperty("type").GetString());
        Assert.Equal(DemoTokenizer.Model.VocabSize, model.GetProperty("vocab").EnumerateObject().Count());
        Assert.Equal(0, model.GetProperty("vocab").GetProperty("<s>").GetInt32());
        Assert.Equal(3, model.GetProperty("vocab").GetProperty("!").GetInt32());
        Assert.Equal(DemoTokenizer.Model.Merges.Count, model.GetProperty("merges").GetArrayLength());
        Assert.All(model.GetProperty("merges").EnumerateArray(), m => Assert.Single(m.GetString()!, ' '));
    }

    [Fact]
    public void Byte_symbols_are_written_raw_as_hf_does()
    {
        string text = File.ReadAllText(Path.Combine(_dir.FullName, "tokenizer.json"));
        Assert.Contains("\"Ġ\": ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u0120", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Tokenizer_config_names_the_class_and_the_special_tokens()
    {
        var config = Read("tokenizer_config.json");
        Assert.Equal("PreTrainedTokenizerFast", config.GetProperty("tokenizer_class").GetString());
        Assert.Equal("<s>", config.GetProperty("bos_token").GetString());
        Assert.Equal("</s>", config.GetProperty("eos_token").GetString());
        Assert.Equal("<pad>", config.GetProperty("pad_token").GetString());
        Assert.True(config.GetProperty("add_bos_token").GetBoolean());
        Assert.Equal(512, config.GetProperty("model_max_length").GetInt32());
        var decoder = config.GetProperty("added_tokens_decoder");
        Assert.Equal("</s>", decoder.GetProperty("1").GetProperty("content").GetString());
        Assert.True(decoder.GetProperty("1").GetProperty("special").GetBoolean());
        var keys = config.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(keys.Order(StringComparer.Ordinal), keys);
    }

    [Fact]
    public void Reading_the_file_back_gives_the_same_tokenizer()
    {
        var loaded = TokenizerFiles.Load(_dir);
        Assert.Equal(DemoTokenizer.Model.Tokens, loaded.Tokens);
        Assert.Equal(DemoTokenizer.Model.Merges, loaded.Merges);
        string text = DemoTokenizer.GeneratedText(31, 20_000) + " 🦙 你好 <s>";
        Assert.Equal(DemoTokenizer.Model.Encode(text, addBos: true), loaded.Encode(text, addBos: true));
    }

    [Fact]
    public void The_reader_refuses_settings_that_change_the_encoding()
    {
        string json = File.ReadAllText(Path.Combine(_dir.FullName, "tokenizer.json"));
        foreach (var (from, to) in new[]
        {
            ("\"byte_fallback\": false", "\"byte_fallback\": true"),
            ("\"add_prefix_space\": false", "\"add_prefix_space\": true"),
            ("\"normalizer\": null", "\"normalizer\": {\"type\": \"NFC\"}"),
            ("\"type\": \"BPE\"", "\"type\": \"WordPiece\""),
        })
        {
            string changed = json.Replace(from, to, StringComparison.Ordinal);
            Assert.NotEqual(json, changed);
            using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(changed));
            Assert.Throws<InvalidDataException>(() => TokenizerJsonReader.Read(stream));
        }
    }
}
