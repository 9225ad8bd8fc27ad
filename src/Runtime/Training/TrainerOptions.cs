using Peft.Runtime.Training.Optimization;
using Peft.Runtime.Validation;

namespace Peft.Runtime.Training;

/// <summary>How an adapter is trained. Defaults suit the demo model on CPU.</summary>
public sealed record TrainerOptions
{
    public double LearningRate { get; init; } = 1e-3;
    public double WeightDecay { get; init; }
    public LearningRateScheduleKind Schedule { get; init; } = LearningRateScheduleKind.Linear;
    public int WarmupSteps { get; init; } = 10;
    /// <summary>Optimizer steps; 0: derived from <see cref="Epochs"/>.</summary>
    public int MaxSteps { get; init; }
    public double Epochs { get; init; } = 1;
    /// <summary>Examples per forward/backward pass.</summary>
    public int MicroBatchSize { get; init; } = 8;
    /// <summary>Micro-batches per optimizer step.</summary>
    public int GradientAccumulation { get; init; } = 1;
    /// <summary>0: no clipping.</summary>
    public double MaxGradNorm { get; init; } = 1.0;
    public long Seed { get; init; } = 42;
    /// <summary>Evaluate the validation split every this many optimizer steps (0: only at the end).</summary>
    public int EvalEvery { get; init; } = 50;
    /// <summary>Checkpoint every this many optimizer steps (0: never).</summary>
    public int CheckpointEvery { get; init; } = 50;

    public string? Validate()
    {
        if (FiniteNumbers.Problem(("learning_rate", LearningRate), ("weight_decay", WeightDecay), ("epochs", Epochs), ("max_grad_norm", MaxGradNorm)) is { } notFinite)
            return notFinite;
        if (!(LearningRate > 0 && LearningRate < 10)) return $"learning_rate {LearningRate} must be in (0, 10)";
        if (WeightDecay < 0) return $"weight_decay {WeightDecay} must not be negative";
        if (WarmupSteps < 0) return $"warmup_steps {WarmupSteps} must not be negative";
        if (MaxSteps < 0) return $"max_steps {MaxSteps} must not be negative";
        if (MaxSteps == 0 && !(Epochs > 0 && Epochs <= 1000)) return $"epochs {Epochs} must be in (0, 1000] when max_steps is 0";
        if (MicroBatchSize is < 1 or > 1024) return $"batch_size {MicroBatchSize} must be in [1, 1024]";
        if (GradientAccumulation is < 1 or > 1024) return $"gradient_accumulation {GradientAccumulation} must be in [1, 1024]";
        if (MaxGradNorm < 0) return $"max_grad_norm {MaxGradNorm} must not be negative";
        if (EvalEvery < 0 || CheckpointEvery < 0) return "eval_every and checkpoint_every must not be negative";
        return null;
    }
}
