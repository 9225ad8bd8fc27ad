using Peft.LoadTests.Chaos;

namespace Peft.LoadTests.Tests.Chaos;

/// <summary>The figures the chaos suite ends with, and how it picks its kill moments.</summary>
public sealed class ChaosFiguresTests
{
    [Fact]
    public void The_summary_line_has_the_issue_s_shape()
    {
        Assert.Equal("chaos: 20 kills, 4 disk-full, 10412 requests, 0 lost, 0 partial, 0 internal, 0 wrong, RSS +1.3%",
            ChaosReport.Summary(20, 4, 10412, 0, 0, 0, 0, 1.25));
        Assert.Equal("chaos: 0 kills, 0 disk-full, 0 requests, 1 lost, 2 partial, 3 internal, 4 wrong, RSS -0.5%",
            ChaosReport.Summary(0, 0, 0, 1, 2, 3, 4, -0.5));
        Assert.EndsWith("RSS n/a", ChaosReport.Summary(1, 0, 0, 0, 0, 0, 0, null));
    }

    [Fact]
    public void Each_failure_names_its_trial_and_invariant_and_counts_where_the_summary_counts()
    {
        var report = new ChaosReport();
        report.LostOne("kill 3/20 (upload)", "'u2-1': expected version abc, found absent");
        report.InternalOne("churn soak", "request 17");
        report.Fail("bad input 6", "answered InvalidArgument", "OK");

        Assert.Equal((1, 0, 1, 0), (report.Lost, report.Partial, report.Internal, report.Wrong));
        Assert.Equal("FAIL kill 3/20 (upload): acknowledged state kept: 'u2-1': expected version abc, found absent", report.Failures[0].ToString());
        Assert.Equal(3, report.Failures.Count);
    }

    [Fact]
    public void Rss_growth_compares_medians_of_the_first_and_last_tenth_after_warm_up()
    {
        // 1000 requests, warm-up 100: windows [100, 190) and [910, 1000].
        var samples = new List<(int, long)> { (50, 5000), (100, 1000), (150, 1010), (180, 990), (500, 3000), (920, 1100), (950, 1050), (1000, 1060) };
        Assert.Equal(6.0, RssGrowth.Percent(samples, warmUp: 100, total: 1000)!.Value, 9);
        Assert.Null(RssGrowth.Percent([(500, 1)], 100, 1000));
    }

    [Fact]
    public void Kill_trials_rotate_through_the_four_activities()
    {
        var activities = Enumerable.Range(0, 20).Select(KillTrials.ActivityOf).ToArray();
        Assert.All(Enum.GetValues<KillActivity>(), a => Assert.Equal(5, activities.Count(x => x == a)));
        Assert.All(Enum.GetValues<KillActivity>(), a => Assert.True(KillTrials.Window(a) > TimeSpan.Zero));
    }

    [Fact]
    public void Expected_outputs_learn_a_version_once_and_then_hold_it_to_that()
    {
        var expected = new ExpectedOutputs();
        Assert.True(expected.Check("v", [1, 2, 3]));
        Assert.True(expected.Knows("v"));
        Assert.True(expected.Check("v", [1, 2, 3]));
        Assert.False(expected.Check("v", [1, 2, 4]));
    }
}
