using System.Text;
using Peft.Runtime.Engine;
using Peft.Runtime.Engine.Sampling;

namespace Peft.Server.OpenAi;

/// <summary>One choice gathered whole, for a response that is not streamed.</summary>
internal sealed class ChoiceResult
{
    private readonly StringBuilder _text = new();

    public List<int> TokenIds { get; } = [];
    public List<TokenChoice> Logprobs { get; } = [];
    public GenerationFinished? Finish { get; private set; }
    public string Text => _text.ToString();

    public void Add(ChoiceEvent e)
    {
        if (e.Tokens is { } tokens)
        {
            _text.Append(tokens.Text);
            TokenIds.AddRange(tokens.TokenIds);
            if (tokens.Logprobs is { } logprobs) Logprobs.AddRange(logprobs);
        }
        if (e.Finish is { } finish) Finish = finish;
    }

    /// <summary>All choices of <paramref name="choices"/>, run to their ends.</summary>
    public static async Task<ChoiceResult[]> GatherAsync(ChoiceSet choices, CancellationToken cancellationToken)
    {
        var results = Enumerable.Range(0, choices.Count).Select(_ => new ChoiceResult()).ToArray();
        await foreach (var e in choices.EventsAsync(cancellationToken)) results[e.Index].Add(e);
        return results;
    }
}

/// <summary>OpenAI's finish_reason and usage from the engine's.</summary>
internal static class Finishes
{
    public static string Reason(FinishReason reason) => reason == FinishReason.Length ? "length" : "stop";

    /// <summary>The last chunk of a stream with stream_options.include_usage: no choices, the usage.</summary>
    public static void WriteUsageChunk(System.Text.Json.Utf8JsonWriter json, (ResponseHeader Header, string ObjectType, Usage Usage) final)
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

        public void Write(System.Text.Json.Utf8JsonWriter json)
        {
            json.WriteStartObject("usage");
            json.WriteNumber("prompt_tokens", PromptTokens);
            json.WriteNumber("completion_tokens", CompletionTokens);
            json.WriteNumber("total_tokens", PromptTokens + CompletionTokens);
            json.WriteEndObject();
        }
    }
}
