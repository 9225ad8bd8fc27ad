namespace Peft.Runtime.Training.Optimization;

/// <summary>The shape of a <see cref="LearningRateSchedule"/> (Hugging Face <c>lr_scheduler_type</c> names in comments).</summary>
public enum LearningRateScheduleKind
{
    /// <summary>The peak rate at every step, warmup included when one is set ("constant" / "constant_with_warmup").</summary>
    Constant,

    /// <summary>Linear warmup from 0, then linear decay to 0 at the last step ("linear").</summary>
    Linear,

    /// <summary>Linear warmup from 0, then half a cosine down to 0 at the last step ("cosine").</summary>
    Cosine,
}
