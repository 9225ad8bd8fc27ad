namespace Peft.Runtime.Training;

/// <summary>Where a training run stands after an optimizer step.</summary>
public sealed record TrainingProgress(
    int Step,
    int TotalSteps,
    double Epoch,
    double Loss,
    double? EvalLoss,
    double LearningRate,
    double TokensPerSecond,
    TimeSpan Elapsed)
{
    public TimeSpan? EstimatedRemaining => Step == 0 ? null : Elapsed / Step * (TotalSteps - Step);
}
