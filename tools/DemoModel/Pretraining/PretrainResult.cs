namespace Peft.Tools.DemoModel.Pretraining;

/// <summary>What a pretraining run did, for the log and the model card.</summary>
/// <param name="FinalTrainingLoss">Mean training loss over the last steps (up to 20): one step's loss is noisy.</param>
/// <param name="InitialHeldOutLoss">Held-out loss of the freshly initialised model (about ln(vocab)).</param>
internal sealed record PretrainResult(
    int Steps,
    long TrainedTokens,
    double FinalTrainingLoss,
    double InitialHeldOutLoss,
    double FinalHeldOutLoss,
    TimeSpan Elapsed)
{
    public double TokensPerSecond => TrainedTokens / Elapsed.TotalSeconds;
}
