using Peft.Server.Errors;
using Domain = Peft.Runtime.Engine.Sampling.SamplingParams;
using Proto = Peft.Protos.V1.SamplingParams;

namespace Peft.Server.Services;

/// <summary>peft.v1.SamplingParams → the engine's; ranges are checked by <see cref="Domain.Validate"/>.</summary>
internal static class SamplingMapper
{
    public static Domain Map(Proto? sampling, int vocabSize, bool hasTokenizer)
    {
        if (sampling is null) return Domain.Greedy;
        if (sampling.MaxNewTokens > int.MaxValue)
            throw RpcErrors.Invalid($"max_new_tokens {sampling.MaxNewTokens} is too large");
        if (sampling.Stop.Count > 0 && !hasTokenizer)
            throw RpcErrors.Precondition("stop strings need the model's tokenizer, and this model directory has none (tokenizer.json or tokenizer.model); use stop_token_ids");
        var result = new Domain
        {
            Temperature = sampling.Temperature,
            TopK = sampling.TopK,
            TopP = sampling.HasTopP ? sampling.TopP : 1f,
            MinP = sampling.MinP,
            RepetitionPenalty = sampling.HasRepetitionPenalty ? sampling.RepetitionPenalty : 1f,
            PresencePenalty = sampling.PresencePenalty,
            FrequencyPenalty = sampling.FrequencyPenalty,
            Seed = sampling.HasSeed ? sampling.Seed : null,
            StopStrings = [.. sampling.Stop],
            StopTokenIds = [.. sampling.StopTokenIds],
            MaxNewTokens = (int)sampling.MaxNewTokens,
            IgnoreEos = sampling.IgnoreEos,
            TopLogprobs = sampling.HasTopLogprobs ? (int)Math.Min(sampling.TopLogprobs, int.MaxValue) : null,
        };
        return result.Validate(vocabSize) is { } problem ? throw RpcErrors.Invalid($"sampling: {problem}") : result;
    }
}
