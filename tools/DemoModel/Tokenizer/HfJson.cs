using System.Text.Encodings.Web;
using System.Text.Json;

namespace Peft.Tools.DemoModel.Tokenizer;

/// <summary>JSON writing as Hugging Face does it: two-space indents, non-ASCII written as is ("Ġ", not "\u0120").</summary>
internal static class HfJson
{
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        // Relaxed escaping only changes which characters appear raw; the output is still valid JSON, and these files
        // are never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The flags of an entry of tokenizer.json's <c>added_tokens</c>, in the order the Rust library writes them.</summary>
    public static void WriteAddedTokenFlags(Utf8JsonWriter json)
    {
        // Specials match the raw text (not normalized), never only whole words, and keep the spaces around them.
        json.WriteBoolean("single_word", false);
        json.WriteBoolean("lstrip", false);
        json.WriteBoolean("rstrip", false);
        json.WriteBoolean("normalized", false);
        json.WriteBoolean("special", true);
    }
}
