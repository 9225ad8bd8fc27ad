namespace Peft.Runtime.Training.Optimization;

/// <summary>
/// The learning rate as a pure function of the step, with the multipliers of Hugging Face's
/// <c>get_constant_schedule_with_warmup</c>, <c>get_linear_schedule_with_warmup</c> and
/// <c>get_cosine_schedule_with_warmup</c> (half a cycle). <see cref="At"/>(s) is the rate for the optimizer step with
/// 0-based index s, which is what HF's LambdaLR holds after s calls to <c>scheduler.step()</c>; so with warmup the
/// first step runs at rate 0, exactly as there.
/// </summary>
public sealed record LearningRateSchedule
{
    public LearningRateSchedule(LearningRateScheduleKind kind, double peakRate, int warmupSteps, int totalSteps)
    {
        if (!Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown schedule");
        if (!(peakRate >= 0)) throw new ArgumentOutOfRangeException(nameof(peakRate), peakRate, "must be >= 0");
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        ArgumentOutOfRangeException.ThrowIfNegative(totalSteps);
        Kind = kind;
        PeakRate = peakRate;
        WarmupSteps = warmupSteps;
        TotalSteps = totalSteps;
    }

    public LearningRateScheduleKind Kind { get; }

    public double PeakRate { get; }

    public int WarmupSteps { get; }

    /// <summary>
    /// Steps of the whole run; the decaying schedules reach 0 here. Past it, linear stays at 0 and cosine rises again,
    /// both exactly as HF's formulas do (a run never asks for those steps).
    /// </summary>
    public int TotalSteps { get; }

    public static LearningRateSchedule Constant(double rate, int warmupSteps = 0) =>
        new(LearningRateScheduleKind.Constant, rate, warmupSteps, totalSteps: 0);

    public static LearningRateSchedule Linear(double peakRate, int warmupSteps, int totalSteps) =>
        new(LearningRateScheduleKind.Linear, peakRate, warmupSteps, totalSteps);

    public static LearningRateSchedule Cosine(double peakRate, int warmupSteps, int totalSteps) =>
        new(LearningRateScheduleKind.Cosine, peakRate, warmupSteps, totalSteps);

    /// <summary>The rate for step <paramref name="step"/> (0-based).</summary>
    public double At(long step) => PeakRate * Multiplier(step);

    /// <summary>The factor on <see cref="PeakRate"/> at <paramref name="step"/>, in [0, 1].</summary>
    public double Multiplier(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (step < WarmupSteps) return (double)step / Math.Max(1, WarmupSteps);
        double remaining = Math.Max(1, TotalSteps - WarmupSteps);
        return Kind switch
        {
            LearningRateScheduleKind.Constant => 1.0,
            LearningRateScheduleKind.Linear => Math.Max(0.0, (TotalSteps - step) / remaining),
            // HF: max(0, 0.5 * (1 + cos(pi * num_cycles * 2 * progress))) with num_cycles = 0.5.
            LearningRateScheduleKind.Cosine => Math.Max(0.0, 0.5 * (1.0 + Math.Cos(Math.PI * 0.5 * 2.0 * ((step - WarmupSteps) / remaining)))),
            _ => throw new InvalidOperationException($"unknown schedule {Kind}"),
        };
    }
}
