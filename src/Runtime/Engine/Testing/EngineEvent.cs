namespace Peft.Runtime.Engine.Testing;

/// <summary>Something that happened to a request, as a test hook records it.</summary>
public abstract record EngineEvent(long SequenceId, string? AdapterId);

/// <summary>The engine accepted the request (it is queued).</summary>
public sealed record SequenceSubmitted(long SequenceId, string? AdapterId) : EngineEvent(SequenceId, AdapterId);

/// <summary>The caller's cancellation reached the engine (the engine acts on it at its next loop turn).</summary>
public sealed record SequenceCancelRequested(long SequenceId, string? AdapterId) : EngineEvent(SequenceId, AdapterId);

/// <summary>The request left the engine: its KV blocks and adapter lease are released by the time this is recorded.</summary>
/// <param name="Generated">Tokens it had generated.</param>
public sealed record SequenceRetired(long SequenceId, string? AdapterId, SequenceOutcome Outcome, int Generated) : EngineEvent(SequenceId, AdapterId);

/// <summary>How a request left the engine.</summary>
public enum SequenceOutcome
{
    /// <summary>A finish reason (length, EOS, stop token or string).</summary>
    Finished,

    /// <summary>The caller cancelled (or disconnected, or ran out of time), or the engine stopped before it finished.</summary>
    Cancelled,

    /// <summary>It could not run (a failed step, no room for its adapter).</summary>
    Failed,
}
