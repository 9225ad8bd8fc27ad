using System.Text.Json;

namespace Peft.Tools.DemoModel.Tokenizer;

/// <summary>
/// Writes <c>tokenizer_config.json</c>, which <c>transformers</c> reads next to tokenizer.json: the class to load, the
/// roles of the special tokens, the chat template (<see cref="DemoChatTemplate"/>) and the context length. Keys in sorted order, as <c>save_pretrained</c> writes them.
/// </summary>
internal static class TokenizerConfigWriter
{
    public const string FileName = "tokenizer_config.json";

    public static void Write(Stream destination, BpeModel model, int modelMaxLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(modelMaxLength);
        using var json = new Utf8JsonWriter(destination, HfJson.WriterOptions);
        json.WriteStartObject();
        json.WriteBoolean("add_bos_token", true);
        json.WriteBoolean("add_eos_token", false);
        json.WriteStartObject("added_tokens_decoder");
        foreach (var special in model.Specials.OrderBy(s => s.Id))
        {
            json.WriteStartObject(special.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("content", special.Content);
            json.WriteBoolean("lstrip", false);
            json.WriteBoolean("normalized", false);
            json.WriteBoolean("rstrip", false);
            json.WriteBoolean("single_word", false);
            json.WriteBoolean("special", true);
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteString("bos_token", SpecialToken.Bos);
        json.WriteString("chat_template", DemoChatTemplate.Source);
        json.WriteBoolean("clean_up_tokenization_spaces", false);
        json.WriteString("eos_token", SpecialToken.Eos);
        json.WriteNumber("model_max_length", modelMaxLength);
        if (model.Specials.Any(s => s.Content == SpecialToken.Pad)) json.WriteString("pad_token", SpecialToken.Pad);
        json.WriteString("tokenizer_class", "PreTrainedTokenizerFast");
        json.WriteEndObject();
    }
}
