using Peft.Runtime.Training.Optimization;

namespace Peft.Runtime.Tests.Training.Optimization;

public sealed class LearningRateScheduleTests
{
    private const double Peak = 3e-3;
    private const int Warmup = 10;
    private const int Total = 110;

    // Hugging Face's lr_lambda functions, transcribed (transformers/optimization.py).
    private static double HfLinear(int step) => step < Warmup
        ? (double)step / Math.Max(1, Warmup)
        : Math.Max(0.0, (double)(Total - step) / Math.Max(1, Total - Warmup));

    private static double HfCosine(int step)
    {
        if (step < Warmup) return (double)step / Math.Max(1, Warmup);
        double progress = (double)(step - Warmup) / Math.Max(1, Total - Warmup);
        return Math.Max(0.0, 0.5 * (1.0 + Math.Cos(Math.PI * 0.5 * 2.0 * progress)));
    }

    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(5, 0.5)]
    [InlineData(Warmup, 1.0)]
    [InlineData(60, 0.5)]
    [InlineData(Total, 0.0)]
    [InlineData(Total + 5, 0.0)]
    public void Linear_warms_up_then_decays_to_zero(int step, double multiplier)
    {
        var schedule = LearningRateSchedule.Linear(Peak, Warmup, Total);
        Assert.Equal(multiplier, schedule.Multiplier(step), 12);
        Assert.Equal(Peak * HfLinear(step), schedule.At(step), 15);
    }

    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(5, 0.5)]
    [InlineData(Warmup, 1.0)]
    [InlineData(35, 0.8535533905932737)]   // a quarter of the decay: (1 + cos(π/4)) / 2
    [InlineData(60, 0.5)]
    [InlineData(Total, 0.0)]
    public void Cosine_warms_up_then_follows_half_a_cosine_to_zero(int step, double multiplier)
    {
        var schedule = LearningRateSchedule.Cosine(Peak, Warmup, Total);
        Assert.Equal(multiplier, schedule.Multiplier(step), 12);
        Assert.Equal(Peak * HfCosine(step), schedule.At(step), 15);
    }

    [Fact]
    public void Both_decays_agree_with_the_hf_formulas_at_every_step()
    {
        var linear = LearningRateSchedule.Linear(Peak, Warmup, Total);
        var cosine = LearningRateSchedule.Cosine(Peak, Warmup, Total);
        for (int step = 0; step <= Total + 2; step++)
        {
            Assert.Equal(HfLinear(step), linear.Multiplier(step));
            Assert.Equal(HfCosine(step), cosine.Multiplier(step));
        }
    }

    [Fact]
    public void Constant_is_the_peak_after_an_optional_warmup()
    {
        Assert.Equal(Peak, LearningRateSchedule.Constant(Peak).At(0));
        Assert.Equal(Peak, LearningRateSchedule.Constant(Peak).At(1_000_000));
        var warm = LearningRateSchedule.Constant(Peak, warmupSteps: 4);
        Assert.Equal([0, 0.25, 0.5, 0.75, 1, 1], Enumerable.Range(0, 6).Select(s => warm.Multiplier(s)));
    }

    [Fact]
    public void Zero_warmup_starts_at_the_peak()
    {
        Assert.Equal(Peak, LearningRateSchedule.Linear(Peak, 0, Total).At(0));
        Assert.Equal(Peak, LearningRateSchedule.Cosine(Peak, 0, Total).At(0));
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Linear(-1, 0, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Cosine(1, -1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Constant(1).At(-1));
    }
}
