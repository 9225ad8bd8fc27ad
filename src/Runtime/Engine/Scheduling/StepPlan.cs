namespace Peft.Runtime.Engine.Scheduling;

/// <summary>What one engine step runs: each scheduled sequence and how many of its pending entries.</summary>
internal sealed class StepPlan
{
    public List<(Sequence Sequence, int Count)> Chunks { get; } = [];

    /// <summary>Sequences sent back to waiting this step (their cache dropped, to be recomputed).</summary>
    public List<Sequence> Preempted { get; } = [];

    /// <summary>Sequences that cannot run at all (their adapter failed to load or to reach the device), with the
    /// error their caller gets.</summary>
    public List<(Sequence Sequence, Exception Error)> Failed { get; } = [];

    public bool IsEmpty => Chunks.Count == 0;
}
