using Peft.LoadTests.Benchmarks;
using Peft.LoadTests.Reporting;

namespace Peft.LoadTests.Tests;

public sealed class ReportAggregatorTests
{
    private static RequestRecord Ok(int index, double scheduled, double first, double last, double done, int tokens, string? adapter = "a") =>
        new(index, adapter, 8, tokens, scheduled, scheduled, first, last, done, tokens, "OK");

    private static readonly SloSpec Slo = new(Ttft: 1.0, Tpot: 0.1, EndToEnd: 3.0);

    private static readonly RequestRecord[] Records =
    [
        Ok(0, scheduled: 0, first: 0.5, last: 1.5, done: 1.5, tokens: 11),                 // ttft 0.5, tpot 0.1, e2e 1.5: meets all
        Ok(1, scheduled: 1, first: 3.0, last: 3.5, done: 3.5, tokens: 6, adapter: "b"),    // ttft 2.0: misses TTFT only
        Ok(2, scheduled: 2, first: 2.2, last: 6.2, done: 6.2, tokens: 21),                 // tpot 0.2, e2e 4.2: misses TPOT and E2E
        Ok(3, scheduled: 3, first: 3.1, last: 3.1, done: 3.1, tokens: 1, adapter: null),   // one token: no TPOT, meets all
        new(4, "a", 8, 10, 4, 4, null, null, 4.0, 0, "ResourceExhausted"),                  // rejected: misses all
    ];

    [Fact]
    public void Counts_statuses_and_throughput_over_the_makespan()
    {
        var r = ReportAggregator.Summarize("mixed", 2.0, Records, Slo);
        Assert.Equal("mixed", r.Scenario);
        Assert.Equal(5, r.Sent);
        Assert.Equal(4, r.Completed);
        Assert.Equal(new Dictionary<string, int> { ["OK"] = 4, ["ResourceExhausted"] = 1 }, r.Statuses);
        Assert.Equal(6.2, r.Makespan, 9);
        Assert.Equal(4 / 6.2, r.RequestsPerSecond, 9);
        Assert.Equal((11 + 6 + 21 + 1) / 6.2, r.OutputTokensPerSecond, 9);
        Assert.Equal(3, r.DistinctAdapters);   // a, b and the base model
    }

    [Fact]
    public void Latencies_are_taken_over_completed_requests_only()
    {
        var r = ReportAggregator.Summarize("mixed", 2.0, Records, Slo);
        Assert.Equal(4, r.Ttft.Count);
        Assert.Equal(new Percentiles([0.5, 2.0, 0.2, 0.1]).At(50), r.Ttft.P50, 9);
        Assert.Equal(3, r.Tpot.Count);   // the one-token request has no inter-token time
        Assert.Equal(0.1, r.Tpot.P50, 9);
        Assert.Equal(0.2, r.Tpot.Max, 9);
        Assert.Equal(4.2, r.EndToEnd.Max, 9);
        Assert.Equal(new Percentiles([1.5, 2.5, 4.2, 0.1]).At(90), r.EndToEnd.P90, 9);
    }

    [Fact]
    public void Slo_attainment_counts_failures_as_misses()
    {
        var slo = ReportAggregator.Summarize("mixed", 2.0, Records, Slo).Slo;
        Assert.Equal(3 / 5.0, slo.Ttft, 9);
        Assert.Equal(3 / 5.0, slo.Tpot, 9);
        Assert.Equal(3 / 5.0, slo.EndToEnd, 9);
        Assert.Equal(2 / 5.0, slo.All, 9);
        Assert.True(Slo.MetBy(Records[0]));
        Assert.False(Slo.MetBy(Records[1]));
        Assert.True(Slo.MetBy(Records[3]));
        Assert.False(Slo.MetBy(Records[4]));
    }

    [Fact]
    public void An_empty_run_reports_nothing_rather_than_failing()
    {
        var r = ReportAggregator.Summarize("base", 1, [], Slo);
        Assert.Equal(0, r.Sent);
        Assert.True(double.IsNaN(r.RequestsPerSecond));
        Assert.True(double.IsNaN(r.Ttft.P50));
        Assert.True(double.IsNaN(r.Slo.All));
    }

    [Fact]
    public void Closed_loop_throughput_separates_the_decode_phase()
    {
        var run = ThroughputRun.Of("base", "-", [Ok(0, 0, 1, 3, 3, 5), Ok(1, 0, 1, 5, 5, 9), new(2, null, 8, 9, 0, 0, null, null, 1, 0, "Failed")]);
        Assert.Equal(3, run.Requests);
        Assert.Equal(1, run.Failed);
        Assert.Equal(14, run.OutputTokens);
        Assert.Equal(14 / 5.0, run.TokensPerSecond, 9);
        Assert.Equal((4 + 8) / 4.0, run.DecodeTokensPerSecond, 9);
        Assert.Equal(1.0, run.TtftP50, 9);
    }
}
