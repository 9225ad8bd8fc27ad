using System.Text.Json;
using Peft.Runtime.Engine.Sampling;
using Peft.Server.Hosting;

namespace Peft.Server.OpenAi;

/// <summary>
/// Log-probabilities in OpenAI's two shapes: the completions API's parallel lists (tokens, token_logprobs,
/// top_logprobs as {text: logprob}, text_offset) and the chat API's content entries (token, logprob, bytes,
/// top_logprobs). A token's text is its own decoding (U+FFFD for part of a character); bytes are exact.
/// </summary>
internal static class LogprobsJson
{
    /// <param name="offset">Characters of the choice's text before the first of <paramref name="choices"/>.</param>
    public static void WriteCompletion(Utf8JsonWriter json, IReadOnlyList<TokenChoice> choices, LoadedModel model, int offset)
    {
        json.WriteStartObject("logprobs");
        json.WriteStartArray("tokens");
        foreach (var c in choices) json.WriteStringValue(model.Decoder.TokenText(c.TokenId));
        json.WriteEndArray();
        json.WriteStartArray("token_logprobs");
        foreach (var c in choices) json.WriteNumberValue(Finite(c.Logprob));
        json.WriteEndArray();
        json.WriteStartArray("top_logprobs");
        foreach (var c in choices)
        {
            json.WriteStartObject();
            // Two top tokens can decode to the same text (parts of characters); the object keeps the likelier.
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (id, logprob) in c.Top ?? [])
                if (seen.Add(model.Decoder.TokenText(id))) json.WriteNumber(model.Decoder.TokenText(id), Finite(logprob));
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("text_offset");
        foreach (var c in choices)
        {
            json.WriteNumberValue(offset);
            offset += model.Decoder.TokenText(c.TokenId).Length;
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    public static void WriteChat(Utf8JsonWriter json, IReadOnlyList<TokenChoice> choices, LoadedModel model)
    {
        json.WriteStartObject("logprobs");
        json.WriteStartArray("content");
        foreach (var c in choices)
        {
            json.WriteStartObject();
            WriteToken(json, c.TokenId, c.Logprob, model);
            json.WriteStartArray("top_logprobs");
            foreach (var (id, logprob) in c.Top ?? [])
            {
                json.WriteStartObject();
                WriteToken(json, id, logprob, model);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteNull("refusal");
        json.WriteEndObject();
    }

    private static void WriteToken(Utf8JsonWriter json, int id, float logprob, LoadedModel model)
    {
        json.WriteString("token", model.Decoder.TokenText(id));
        json.WriteNumber("logprob", Finite(logprob));
        json.WriteStartArray("bytes");
        if (model.Tokenizer is { } tokenizer)
            foreach (byte b in tokenizer.TokenBytes(id)) json.WriteNumberValue(b);
        json.WriteEndArray();
    }

    /// <summary>JSON has no infinities: a token the model rules out gets -9999, as vLLM writes it.</summary>
    private static float Finite(float logprob) => float.IsFinite(logprob) ? logprob : -9999f;
}
