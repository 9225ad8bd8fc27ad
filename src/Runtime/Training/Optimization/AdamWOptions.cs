namespace Peft.Runtime.Training.Optimization;

/// <summary>
/// AdamW hyperparameters, with <c>torch.optim.AdamW</c>'s defaults. The learning rate here is the one
/// <see cref="AdamW.Step()"/> uses; a schedule passes its own to <see cref="AdamW.Step(double)"/> each step.
/// </summary>
public sealed record AdamWOptions
{
    public double LearningRate { get; init; } = 1e-3;

    public double Beta1 { get; init; } = 0.9;

    public double Beta2 { get; init; } = 0.999;

    /// <summary>Added to the bias-corrected root of the second moment (outside the square root, as torch does).</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>Decoupled: each step multiplies every parameter by (1 - lr * decay) before the Adam update.</summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>Throws for values torch's constructor refuses.</summary>
    public void Validate()
    {
        if (!(LearningRate >= 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "must be >= 0");
        if (!(Beta1 >= 0 && Beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta1), Beta1, "must be in [0, 1)");
        if (!(Beta2 >= 0 && Beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta2), Beta2, "must be in [0, 1)");
        if (!(Epsilon >= 0)) throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "must be >= 0");
        if (!(WeightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "must be >= 0");
    }
}
