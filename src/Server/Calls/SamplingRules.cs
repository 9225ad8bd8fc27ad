using Peft.Server.Errors;
using Domain = Peft.Runtime.Engine.Sampling.SamplingParams;

namespace Peft.Server.Calls;

/// <summary>Sampling as sent → the engine's; ranges are checked by <see cref="Domain.Validate"/>, for every edge.</summary>
internal static class SamplingRules
{
    public static Domain Build(SamplingInput sampling, int vocabSize, bool hasTokenizer)
    {
        if (sampling.MaxNewTokens is < 0 or > int.MaxValue)
            throw ApiErrors.Invalid($"max_new_tokens {sampling.MaxNewTokens} must be in [0, {int.MaxValue}]", "max_tokens");
        if (sampling.Stop.Count > 0 && !hasTokenizer)
            throw ApiErrors.Precondition("stop strings need the model's tokenizer, and this model directory has none (tokenizer.json or tokenizer.model); use stop_token_ids", "stop");
        var result = new Domain
        {
            Temperature = sampling.Temperature ?? 0f,
            TopK = sampling.TopK ?? 0,
            TopP = sampling.TopP ?? 1f,
            MinP = sampling.MinP ?? 0f,
            RepetitionPenalty = sampling.RepetitionPenalty ?? 1f,
            PresencePenalty = sampling.PresencePenalty ?? 0f,
            FrequencyPenalty = sampling.FrequencyPenalty ?? 0f,
            Seed = sampling.Seed,
            StopStrings = sampling.Stop,
            StopTokenIds = sampling.StopTokenIds,
            MaxNewTokens = (int)(sampling.MaxNewTokens ?? 0),
            IgnoreEos = sampling.IgnoreEos,
            TopLogprobs = sampling.TopLogprobs is { } top ? (int)Math.Clamp(top, int.MinValue, int.MaxValue) : null,
        };
        return result.Validate(vocabSize) is { } problem ? throw ApiErrors.Invalid($"sampling: {problem}") : result;
    }
}
