namespace Peft.Runtime.Engine;

/// <summary>
/// When a request entered the engine and when the scheduler first gave it a place in a step: the queue time that
/// traces show as its own span. Written once by the engine thread, read by the request's caller.
/// </summary>
public sealed class RequestTimeline(DateTimeOffset submitted)
{
    private long _admittedTicks;

    public DateTimeOffset Submitted { get; } = submitted;

    /// <summary>First admission into a step (a preempted request keeps its first); null while it waits.</summary>
    public DateTimeOffset? Admitted =>
        Interlocked.Read(ref _admittedTicks) is var ticks and not 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    internal void MarkAdmitted(DateTimeOffset at) => Interlocked.CompareExchange(ref _admittedTicks, at.UtcTicks, 0);
}
