namespace Peft.Server.Calls;

/// <summary>
/// One generation as either edge receives it, before validation: gRPC's GenerateRequest and each choice of an
/// OpenAI completion map onto this, and <see cref="GenerationCall.Start"/> applies the same rules to both.
/// </summary>
/// <param name="AdapterId">Empty: the base model.</param>
/// <param name="Prompt">Null: the request named no prompt.</param>
/// <param name="RequestId">Echoed in traces (peft.request_id).</param>
/// <param name="User">The end user the caller names (OpenAI's <c>user</c>), traced as peft.user.</param>
public sealed record GenerationInput(string AdapterId, PromptInput? Prompt, SamplingInput Sampling, string RequestId = "", string? User = null)
{
    /// <summary>Multitask prompt tuning: the task the prompt is for (the engine checks it against the adapter).</summary>
    public int? TaskId { get; init; }
}

/// <summary>A prompt as sent: text for the model's tokenizer, or token ids used verbatim.</summary>
public abstract record PromptInput;

/// <param name="AddSpecialTokens">Whether to add the tokens the tokenizer puts around a text (BOS, per its configuration).</param>
public sealed record TextPrompt(string Text, bool AddSpecialTokens = true) : PromptInput;

public sealed record TokenPrompt(IReadOnlyList<int> Ids) : PromptInput;

/// <summary>
/// Sampling and stopping as sent, unset values null (the engine's defaults apply). Ranges are checked by
/// <see cref="SamplingRules"/> and the engine's <c>SamplingParams.Validate</c>.
/// </summary>
public sealed record SamplingInput
{
    public float? Temperature { get; init; }
    public int? TopK { get; init; }
    public float? TopP { get; init; }
    public float? MinP { get; init; }
    public float? RepetitionPenalty { get; init; }
    public float? PresencePenalty { get; init; }
    public float? FrequencyPenalty { get; init; }
    public ulong? Seed { get; init; }
    public IReadOnlyList<string> Stop { get; init; } = [];
    public IReadOnlyList<int> StopTokenIds { get; init; } = [];
    /// <summary>Null or 0: the server's Engine:DefaultMaxNewTokens.</summary>
    public long? MaxNewTokens { get; init; }
    public bool IgnoreEos { get; init; }
    /// <summary>Null: no logprobs; otherwise the sampled token's and this many alternatives'.</summary>
    public long? TopLogprobs { get; init; }

    public static SamplingInput Greedy { get; } = new();
}
