using System.Text.Json;
using Peft.Runtime.Engine;

namespace Peft.Server.OpenAi;

/// <summary>OpenAI's finish_reason and usage from the engine's.</summary>
internal static class Finishes
{
    public static string Reason(FinishReason reason) => reason == FinishReason.Length ? "length" : "stop";

    /// <summary>The last chunk of a stream with stream_options.include_usage: no choices, the usage.</summary>
    public static void WriteUsageChunk(Utf8JsonWriter json, (ResponseHeader Header, string ObjectType, Usage Usage) final)
    {
        json.WriteStartObject();
        final.Header.Write(json, final.ObjectType);
        json.WriteStartArray("choices");
        json.WriteEndArray();
        final.Usage.Write(json);
        json.WriteEndObject();
    }

    /// <summary>Prompt tokens count once per prompt (its n choices share it), completion tokens once per choice.</summary>
    public readonly record struct Usage(long PromptTokens, long CompletionTokens)
    {
        public static Usage Of(IReadOnlyList<GenerationFinished?> finishes, int n)
        {
            long prompt = 0, completion = 0;
            for (int i = 0; i < finishes.Count; i++)
            {
                if (finishes[i] is not { } f) continue;
                if (i % n == 0) prompt += f.PromptTokens;
                completion += f.CompletionTokens;
            }
            return new Usage(prompt, completion);
        }

        public void Write(Utf8JsonWriter json)
        {
            json.WriteStartObject("usage");
            json.WriteNumber("prompt_tokens", PromptTokens);
            json.WriteNumber("completion_tokens", CompletionTokens);
            json.WriteNumber("total_tokens", PromptTokens + CompletionTokens);
            json.WriteEndObject();
        }
    }
}
