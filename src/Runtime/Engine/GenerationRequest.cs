using Peft.Runtime.Adapters.Registry;
using Peft.Runtime.Engine.Sampling;

namespace Peft.Runtime.Engine;

/// <summary>One generation, as the engine takes it: token ids, an optional adapter lease (owned by the engine from
/// submission on: it is released when the request ends), and sampling parameters.</summary>
public sealed record GenerationRequest
{
    public required IReadOnlyList<int> PromptTokens { get; init; }
    public AdapterLease? Adapter { get; init; }
    public SamplingParams Sampling { get; init; } = SamplingParams.Greedy;
    /// <summary>Multitask prompt tuning: which of the adapter's tasks (required there, refused elsewhere).</summary>
    public int? TaskId { get; init; }
    public string RequestId { get; init; } = "";
}

public enum FinishReason
{
    Length,
    Eos,
    StopString,
    StopToken,
}

/// <summary>What a request's stream carries.</summary>
public abstract record GenerationEvent;

/// <summary>Tokens produced since the last event, the text they completed, and logprobs when asked.</summary>
public sealed record TokensGenerated(IReadOnlyList<int> TokenIds, string Text, IReadOnlyList<TokenChoice>? Logprobs) : GenerationEvent
{
    /// <summary>
    /// Set on the tokens that end the request (the <see cref="GenerationFinished"/> event still follows): a reader
    /// that has these tokens knows whether more come without waiting for the next event, so a stream's events do not
    /// depend on when its reader ran.
    /// </summary>
    public GenerationFinished? Last { get; init; }
}

/// <summary>The last event of a request that ran to its end.</summary>
public sealed record GenerationFinished(FinishReason Reason, int PromptTokens, int CompletionTokens) : GenerationEvent;

/// <summary>Why the engine refused a request at submission.</summary>
public enum RejectReason
{
    InvalidArgument,
    ResourceExhausted,
    Unavailable,
    FailedPrecondition,
}

/// <summary>A request the engine will not run; the message names the problem.</summary>
public sealed class RequestRejectedException(RejectReason reason, string message) : Exception(message)
{
    public RejectReason Reason { get; } = reason;
}
