namespace Peft.Runtime.Training.Jobs;

/// <summary>
/// Queued → Running → Registering → Succeeded; any of the first three → Failed or Cancelled.
/// A process restart puts Running jobs back to Queued; they resume from their last checkpoint.
/// </summary>
public enum TrainingJobState
{
    Queued,
    Running,
    Registering,
    Succeeded,
    Failed,
    Cancelled,
}

public static class TrainingJobStates
{
    public static bool IsTerminal(this TrainingJobState state) =>
        state is TrainingJobState.Succeeded or TrainingJobState.Failed or TrainingJobState.Cancelled;
}
