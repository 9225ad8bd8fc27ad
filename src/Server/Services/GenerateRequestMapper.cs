using Peft.Protos.V1;
using Peft.Runtime.Engine;
using Peft.Server.Errors;
using Peft.Server.Calls;
using FinishReason = Peft.Runtime.Engine.FinishReason;

namespace Peft.Server.Services;

/// <summary>peft.v1 GenerateRequest → the edge-neutral <see cref="GenerationInput"/>, and engine results → proto. No
/// rule lives here: validation is <see cref="GenerationCall"/>'s, shared with the HTTP edge.</summary>
internal static class GenerateRequestMapper
{
    public static GenerationInput Input(GenerateRequest request) =>
        new(request.AdapterId, Prompt(request), Sampling(request.Sampling), request.RequestId)
        {
            TaskId = request.HasTaskId ? (int)Math.Min(request.TaskId, int.MaxValue) : null,
        };

    private static PromptInput? Prompt(GenerateRequest request) => request.PromptCase switch
    {
        GenerateRequest.PromptOneofCase.Text => new TextPrompt(request.Text, !request.HasAddSpecialTokens || request.AddSpecialTokens),
        GenerateRequest.PromptOneofCase.TokenIds => new TokenPrompt([.. request.TokenIds.Ids]),
        _ => null,
    };

    private static SamplingInput Sampling(SamplingParams? sampling) => sampling is null ? SamplingInput.Greedy : new SamplingInput
    {
        Temperature = sampling.Temperature,
        TopK = sampling.TopK,
        TopP = sampling.HasTopP ? sampling.TopP : null,
        MinP = sampling.MinP,
        RepetitionPenalty = sampling.HasRepetitionPenalty ? sampling.RepetitionPenalty : null,
        PresencePenalty = sampling.PresencePenalty,
        FrequencyPenalty = sampling.FrequencyPenalty,
        Seed = sampling.HasSeed ? sampling.Seed : null,
        Stop = [.. sampling.Stop],
        StopTokenIds = [.. sampling.StopTokenIds],
        MaxNewTokens = sampling.MaxNewTokens,
        IgnoreEos = sampling.IgnoreEos,
        TopLogprobs = sampling.HasTopLogprobs ? sampling.TopLogprobs : null,
    };

    public static Protos.V1.FinishReason Map(FinishReason reason) => reason switch
    {
        FinishReason.Length => Protos.V1.FinishReason.Length,
        FinishReason.Eos => Protos.V1.FinishReason.Eos,
        FinishReason.StopString => Protos.V1.FinishReason.StopString,
        FinishReason.StopToken => Protos.V1.FinishReason.StopToken,
        _ => Protos.V1.FinishReason.Unspecified,
    };

    public static Usage Usage(GenerationFinished finish) =>
        new() { PromptTokens = (uint)finish.PromptTokens, CompletionTokens = (uint)finish.CompletionTokens };
}
