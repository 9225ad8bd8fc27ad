using Peft.Runtime.Validation;

namespace Peft.Runtime.Engine.Sampling;

/// <summary>
/// How one request picks tokens and when it stops. Defaults are greedy decoding with no penalties.
/// Processing order: repetition penalty (prompt + output), presence/frequency penalties (output), temperature,
/// top-k, top-p, min-p, then a draw from the request's own seeded generator.
/// </summary>
public sealed record SamplingParams
{
    public const int MaxStopStrings = 16;
    public const int MaxTopLogprobs = 20;

    /// <summary>Longest stop string in characters: the output is searched for every stop string at every token.</summary>
    public const int MaxStopStringLength = 1024;

    /// <summary>0 is greedy.</summary>
    public float Temperature { get; init; }
    /// <summary>0 is no limit.</summary>
    public int TopK { get; init; }
    /// <summary>1 is no limit.</summary>
    public float TopP { get; init; } = 1f;
    /// <summary>0 is off.</summary>
    public float MinP { get; init; }
    /// <summary>1 is off.</summary>
    public float RepetitionPenalty { get; init; } = 1f;
    public float PresencePenalty { get; init; }
    public float FrequencyPenalty { get; init; }
    /// <summary>Null: a random seed per request.</summary>
    public ulong? Seed { get; init; }
    public IReadOnlyList<string> StopStrings { get; init; } = [];
    public IReadOnlyList<int> StopTokenIds { get; init; } = [];
    /// <summary>0: the engine's default.</summary>
    public int MaxNewTokens { get; init; }
    public bool IgnoreEos { get; init; }
    /// <summary>Null: no logprobs. Otherwise the chosen token's logprob plus this many alternatives.</summary>
    public int? TopLogprobs { get; init; }

    public static SamplingParams Greedy { get; } = new();

    public bool IsGreedy => Temperature == 0f;

    /// <summary>True when a plain argmax over the raw logits gives the same token (no penalty changes the order).</summary>
    public bool IsPlainGreedy => IsGreedy && RepetitionPenalty == 1f && PresencePenalty == 0f && FrequencyPenalty == 0f;

    /// <summary>Null when valid; otherwise a message naming the offending field and its allowed range.</summary>
    public string? Validate(int vocabSize)
    {
        if (FiniteNumbers.Problem(("temperature", Temperature), ("top_p", TopP), ("min_p", MinP), ("repetition_penalty", RepetitionPenalty),
                ("presence_penalty", PresencePenalty), ("frequency_penalty", FrequencyPenalty)) is { } notFinite)
            return notFinite;
        if (!(Temperature >= 0f && Temperature <= 100f)) return $"temperature {Temperature} must be 0 (greedy) or in (0, 100]";
        if (TopK < 0) return $"top_k {TopK} must not be negative";
        if (!(TopP > 0f && TopP <= 1f)) return $"top_p {TopP} must be in (0, 1]";
        if (!(MinP >= 0f && MinP <= 1f)) return $"min_p {MinP} must be in [0, 1]";
        if (!(RepetitionPenalty > 0f && RepetitionPenalty <= 10f)) return $"repetition_penalty {RepetitionPenalty} must be in (0, 10]";
        if (!(PresencePenalty >= -2f && PresencePenalty <= 2f)) return $"presence_penalty {PresencePenalty} must be in [-2, 2]";
        if (!(FrequencyPenalty >= -2f && FrequencyPenalty <= 2f)) return $"frequency_penalty {FrequencyPenalty} must be in [-2, 2]";
        if (StopStrings.Count > MaxStopStrings) return $"stop has {StopStrings.Count} strings; at most {MaxStopStrings} are allowed";
        if (StopStrings.Any(string.IsNullOrEmpty)) return "stop strings must not be empty";
        if (StopStrings.FirstOrDefault(s => s.Length > MaxStopStringLength) is { } longStop)
            return $"a stop string is {longStop.Length} characters long; at most {MaxStopStringLength} are allowed";
        if (TokenIdRange.FirstOutside(StopTokenIds, vocabSize) is { } bad)
            return $"stop_token_ids contains {StopTokenIds[bad]}, outside the vocabulary [0, {vocabSize})";
        if (MaxNewTokens < 0) return $"max_new_tokens {MaxNewTokens} must not be negative";
        if (TopLogprobs is < 0 or > MaxTopLogprobs) return $"top_logprobs {TopLogprobs} must be in [0, {MaxTopLogprobs}]";
        return null;
    }
}
