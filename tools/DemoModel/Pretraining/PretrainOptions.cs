namespace Peft.Tools.DemoModel.Pretraining;

/// <summary>How the demo model is trained. The defaults make models/demo/ on two CPU cores in a few minutes.</summary>
internal sealed record PretrainOptions
{
    /// <summary>Optimizer steps; the cosine schedule reaches 0 at the last one.</summary>
    public int Steps { get; init; } = 400;

    /// <summary>Sequences (windows of <see cref="PackedCorpus.Context"/> tokens) per step.</summary>
    public int Batch { get; init; } = 8;

    public double LearningRate { get; init; } = 3e-3;

    /// <summary>Linear warmup from 0; a high peak rate needs it while Adam's second moments are still noisy.</summary>
    public int WarmupSteps { get; init; } = 30;

    public double WeightDecay { get; init; } = 0.01;

    /// <summary>Global gradient norm limit; keeps the early, large-gradient steps from throwing the weights around.</summary>
    public double ClipNorm { get; init; } = 1.0;

    /// <summary>Seeds the initial weights and the window order: the same inputs and seed give the same model.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>
    /// When set, the run times its first steps and shortens <see cref="Steps"/> so that training ends within this time
    /// (the schedule then decays over the shortened run). The result then depends on the machine's speed.
    /// </summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>Windows at the end of the stream kept out of training, for the held-out loss.</summary>
    public int HeldOutWindows { get; init; } = 16;

    public int LogEvery { get; init; } = 10;

    public void Validate()
    {
        if (Steps < 1) throw new ArgumentException($"--steps must be positive, got {Steps}.");
        if (Batch < 1) throw new ArgumentException($"--batch must be positive, got {Batch}.");
        if (!(LearningRate > 0)) throw new ArgumentException($"--lr must be positive, got {LearningRate}.");
        if (WarmupSteps < 0) throw new ArgumentException($"--warmup must be >= 0, got {WarmupSteps}.");
        if (!(WeightDecay >= 0)) throw new ArgumentException($"--weight-decay must be >= 0, got {WeightDecay}.");
        if (!(ClipNorm > 0)) throw new ArgumentException($"--clip must be positive, got {ClipNorm}.");
        if (TimeBudget is { } budget && budget <= TimeSpan.Zero) throw new ArgumentException($"--minutes must be positive, got {budget.TotalMinutes}.");
        if (HeldOutWindows < 1) throw new ArgumentException($"held-out windows must be positive, got {HeldOutWindows}.");
        if (LogEvery < 1) throw new ArgumentException($"--log-every must be positive, got {LogEvery}.");
    }
}
