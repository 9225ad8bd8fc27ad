using Peft.Runtime.Engine;
using Peft.Runtime.Engine.Scheduling;

namespace Peft.Runtime.Tests.Engine;

public sealed class BackgroundPacerTests
{
    [Theory]
    [InlineData(1.0 / 3, 7, 50)]
    [InlineData(0.5, 7, 50)]
    [InlineData(0.25, 20, 3)]
    [InlineData(0.25, 3, 20)]
    [InlineData(0.1, 2, 400)]
    public void Background_units_take_at_most_their_share_of_a_busy_engine(double share, int stepMs, int unitMs)
    {
        var pacer = new BackgroundPacer(share);
        // The first unit runs at once (nothing measured yet); count from there.
        pacer.RanUnit(TimeSpan.FromMilliseconds(unitMs));
        TimeSpan serving = TimeSpan.Zero, background = TimeSpan.Zero;
        for (int i = 0; i < 20_000; i++)
        {
            pacer.Served(TimeSpan.FromMilliseconds(stepMs));
            serving += TimeSpan.FromMilliseconds(stepMs);
            if (!pacer.Due) continue;
            pacer.RanUnit(TimeSpan.FromMilliseconds(unitMs));
            background += TimeSpan.FromMilliseconds(unitMs);
        }
        double taken = background / (serving + background);
        // An upper bound; below it, background work still gets its share, or one unit per step when units are short.
        double floor = Math.Min(share, unitMs / (double)(unitMs + stepMs));
        Assert.InRange(taken, floor * 0.8, share + 1e-9);
    }

    [Fact]
    public void The_first_unit_runs_at_once_and_then_waits_for_serving()
    {
        var pacer = new BackgroundPacer(1.0 / 3);
        Assert.True(pacer.Due);
        pacer.RanUnit(TimeSpan.FromMilliseconds(30));
        pacer.Served(TimeSpan.FromMilliseconds(59));
        Assert.False(pacer.Due);
        pacer.Served(TimeSpan.FromMilliseconds(1));
        Assert.True(pacer.Due);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void A_share_outside_zero_to_one_is_refused(double share)
    {
        Assert.Contains("BackgroundShare", new EngineOptions { BackgroundShare = share }.Validate());
    }
}
