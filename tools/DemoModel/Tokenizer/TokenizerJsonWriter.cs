using System.Text.Json;

namespace Peft.Tools.DemoModel.Tokenizer;

/// <summary>
/// Writes <c>tokenizer.json</c> in the Hugging Face <c>tokenizers</c> format (version 1.0), field by field in the order
/// the Rust library writes them, so that <c>PreTrainedTokenizerFast</c>, <c>tokenizers.Tokenizer.from_file</c> and our
/// runtime all read the same tokenizer.
/// </summary>
/// <remarks>
/// Pipeline: no normalizer; ByteLevel pre-tokenizer (GPT-2 regex, no prefix space); BPE model over byte symbols;
/// a TemplateProcessing post-processor that puts BOS in front ("$A" becomes "&lt;s&gt; $A"), which is how a fast
/// tokenizer adds BOS (<c>add_bos_token</c> in tokenizer_config.json is only read by slow Llama tokenizers); ByteLevel
/// decoder. Merges are written as "left right" strings, the format every reader of version 1.0 accepts; byte-level
/// symbols never contain a space, so the split is unambiguous.
/// </remarks>
internal static class TokenizerJsonWriter
{
    public const string FileName = "tokenizer.json";

    public static void Write(Stream destination, BpeModel model)
    {
        using var json = new Utf8JsonWriter(destination, HfJson.WriterOptions);
        json.WriteStartObject();
        json.WriteString("version", "1.0");
        json.WriteNull("truncation");
        json.WriteNull("padding");
        WriteAddedTokens(json, model);
        json.WriteNull("normalizer");
        WriteByteLevel(json, "pre_tokenizer", addPrefixSpace: false);
        WritePostProcessor(json, model);
        WriteByteLevel(json, "decoder", addPrefixSpace: true);
        WriteModel(json, model);
        json.WriteEndObject();
    }

    private static void WriteAddedTokens(Utf8JsonWriter json, BpeModel model)
    {
        json.WriteStartArray("added_tokens");
        foreach (var special in model.Specials.OrderBy(s => s.Id))
        {
            json.WriteStartObject();
            json.WriteNumber("id", special.Id);
            json.WriteString("content", special.Content);
            HfJson.WriteAddedTokenFlags(json);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary>The decoder's add_prefix_space is what HF writes for GPT-2-style decoders; it has no effect on decoding.</summary>
    private static void WriteByteLevel(Utf8JsonWriter json, string property, bool addPrefixSpace)
    {
        json.WriteStartObject(property);
        json.WriteString("type", "ByteLevel");
        json.WriteBoolean("add_prefix_space", addPrefixSpace);
        json.WriteBoolean("trim_offsets", true);
        json.WriteBoolean("use_regex", true);
        json.WriteEndObject();
    }

    private static void WritePostProcessor(Utf8JsonWriter json, BpeModel model)
    {
        const string bos = SpecialToken.Bos;
        json.WriteStartObject("post_processor");
        json.WriteString("type", "TemplateProcessing");
        json.WriteStartArray("single");
        WritePiece(json, "SpecialToken", bos, 0);
        WritePiece(json, "Sequence", "A", 0);
        json.WriteEndArray();
        json.WriteStartArray("pair");
        WritePiece(json, "SpecialToken", bos, 0);
        WritePiece(json, "Sequence", "A", 0);
        WritePiece(json, "SpecialToken", bos, 1);
        WritePiece(json, "Sequence", "B", 1);
        json.WriteEndArray();
        json.WriteStartObject("special_tokens");
        json.WriteStartObject(bos);
        json.WriteString("id", bos);
        json.WriteStartArray("ids");
        json.WriteNumberValue(model.BosId);
        json.WriteEndArray();
        json.WriteStartArray("tokens");
        json.WriteStringValue(bos);
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WritePiece(Utf8JsonWriter json, string kind, string id, int typeId)
    {
        json.WriteStartObject();
        json.WriteStartObject(kind);
        json.WriteString("id", id);
        json.WriteNumber("type_id", typeId);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteModel(Utf8JsonWriter json, BpeModel model)
    {
        json.WriteStartObject("model");
        json.WriteString("type", "BPE");
        json.WriteNull("dropout");
        json.WriteNull("unk_token");
        json.WriteNull("continuing_subword_prefix");
        json.WriteNull("end_of_word_suffix");
        json.WriteBoolean("fuse_unk", false);
        json.WriteBoolean("byte_fallback", false);
        json.WriteBoolean("ignore_merges", false);
        json.WriteStartObject("vocab");
        for (int id = 0; id < model.VocabSize; id++) json.WriteNumber(model.Tokens[id], id);
        json.WriteEndObject();
        json.WriteStartArray("merges");
        foreach (var merge in model.Merges) json.WriteStringValue($"{model.Tokens[merge.Left]} {model.Tokens[merge.Right]}");
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
