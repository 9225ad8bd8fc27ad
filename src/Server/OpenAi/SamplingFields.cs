using Peft.Server.Calls;
using Peft.Server.Errors;

namespace Peft.Server.OpenAi;

/// <summary>
/// OpenAI's sampling fields, with vLLM's common extensions (top_k, min_p, repetition_penalty, ignore_eos,
/// stop_token_ids), as the edge-neutral <see cref="SamplingInput"/>. Only how OpenAI spells a value is decided
/// here; its range is the shared rule's (<see cref="SamplingRules"/>).
/// </summary>
internal static class SamplingFields
{
    public static SamplingInput Read(JsonRequest request, long? maxTokens, long? topLogprobs) => new()
    {
        Temperature = request.Float("temperature"),
        // vLLM spells "no top-k" -1 as well as 0.
        TopK = request.Integer("top_k") switch
        {
            null or -1 => null,
            var k => (int)Math.Clamp(k.Value, int.MinValue, int.MaxValue),
        },
        TopP = request.Float("top_p"),
        MinP = request.Float("min_p"),
        RepetitionPenalty = request.Float("repetition_penalty"),
        PresencePenalty = request.Float("presence_penalty"),
        FrequencyPenalty = request.Float("frequency_penalty"),
        // OpenAI's seed is a signed 64-bit integer; the engine takes its bits.
        Seed = request.Integer("seed") is { } seed ? unchecked((ulong)seed) : null,
        Stop = request.Strings("stop"),
        StopTokenIds = request.Array("stop_token_ids") is { } ids ? JsonRequest.Ints(ids, "stop_token_ids") : [],
        MaxNewTokens = maxTokens,
        IgnoreEos = request.Bool("ignore_eos") ?? false,
        TopLogprobs = topLogprobs,
    };

    /// <summary>max_tokens (or its newer name max_completion_tokens): absent means the server's default, and an
    /// explicit value must leave room for one token (0 would otherwise read as "the default").</summary>
    public static long? MaxTokens(JsonRequest request, params string[] names)
    {
        long? value = null;
        foreach (string name in names)
        {
            if (request.Integer(name) is not { } n) continue;
            if (n < 1) throw ApiErrors.Invalid($"'{name}' must be at least 1, not {n}", name);
            if (value is { } other && other != n) throw ApiErrors.Invalid($"'{names[0]}' and '{name}' disagree ({other} and {n}); send one", name);
            value = n;
        }
        return value;
    }

    /// <summary>Fields that change what is generated and that this server does not implement: refused, never ignored.</summary>
    public static void RefuseUnsupported(JsonRequest request)
    {
        if (request.Object("logit_bias") is { Count: > 0 })
            throw ApiErrors.Invalid("'logit_bias' is not supported by this server", "logit_bias");
        if (request.Has("prompt_logprobs"))
            throw ApiErrors.Invalid("'prompt_logprobs' is not supported: the engine computes log-probabilities of generated tokens only", "prompt_logprobs");
        if (request.Has("guided_json") || request.Has("guided_regex") || request.Has("guided_choice") || request.Has("guided_grammar"))
            throw ApiErrors.Invalid("guided decoding is not supported by this server", "guided_json");
    }
}
