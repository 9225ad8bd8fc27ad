namespace Peft.Runtime.Engine.Sampling;

/// <summary>A sampled token, with log-probabilities when the request asked for them.</summary>
public readonly record struct TokenChoice(int TokenId, float Logprob, IReadOnlyList<(int TokenId, float Logprob)>? Top);
