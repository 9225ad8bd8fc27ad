namespace Peft.LoadTests.Reporting;

/// <summary>Turns the records of one run into its report. Pure: no clock, no I/O.</summary>
internal static class ReportAggregator
{
    public static ScenarioReport Summarize(string scenario, double rate, IReadOnlyList<RequestRecord> records, SloSpec slo)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(slo);
        var ok = records.Where(r => r.IsOk).ToArray();
        double makespan = records.Count == 0 ? 0 : records.Max(r => r.Done) - records.Min(r => r.Sent);
        double Fraction(Func<RequestRecord, bool> met) => records.Count == 0 ? double.NaN : records.Count(met) / (double)records.Count;
        return new ScenarioReport
        {
            Scenario = scenario,
            Rate = rate,
            Sent = records.Count,
            Completed = ok.Length,
            Statuses = records.GroupBy(r => r.Status).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            Makespan = makespan,
            RequestsPerSecond = makespan > 0 ? ok.Length / makespan : double.NaN,
            OutputTokensPerSecond = makespan > 0 ? ok.Sum(r => r.OutputTokens) / makespan : double.NaN,
            Ttft = LatencyStats.Of(ok.Select(r => r.Ttft).OfType<double>()),
            Tpot = LatencyStats.Of(ok.Select(r => r.Tpot).OfType<double>()),
            EndToEnd = LatencyStats.Of(ok.Select(r => r.EndToEnd)),
            Slo = new SloAttainment(slo, Fraction(slo.MeetsTtft), Fraction(slo.MeetsTpot), Fraction(slo.MeetsEndToEnd), Fraction(slo.MetBy)),
            DistinctAdapters = records.Select(r => r.AdapterId).Distinct().Count(),
        };
    }
}
