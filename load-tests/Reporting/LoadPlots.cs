using Peft.LoadTests.Workload;

namespace Peft.LoadTests.Reporting;

/// <summary>The load command's charts: latency CDFs per scenario at each rate, and metrics against rate when the
/// run swept several rates. Returns the file names written.</summary>
internal static class LoadPlots
{
    public static IReadOnlyList<string> Draw(string directory, string prefix, IReadOnlyList<ScenarioRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var files = new List<string>();
        var rates = runs.Select(r => r.Report.Rate).Distinct().Order().ToArray();
        foreach (double rate in rates)
        {
            var atRate = runs.Where(r => r.Report.Rate == rate).ToArray();
            string suffix = rates.Length > 1 ? $"-rate{rate:0.###}" : "";
            string e2e = $"{prefix}-e2e-cdf{suffix}.png";
            Plots.LatencyCdf(Path.Combine(directory, e2e), $"End-to-end latency, {rate:0.###} req/s", "seconds",
                atRate.Select(r => (r.Report.Scenario, (IReadOnlyList<double>)[.. r.Records.Where(x => x.IsOk).Select(x => x.EndToEnd)])));
            string ttft = $"{prefix}-ttft-cdf{suffix}.png";
            Plots.LatencyCdf(Path.Combine(directory, ttft), $"Time to first token, {rate:0.###} req/s", "seconds",
                atRate.Select(r => (r.Report.Scenario, (IReadOnlyList<double>)[.. r.Records.Where(x => x.IsOk).Select(x => x.Ttft).OfType<double>()])));
            files.Add(e2e);
            files.Add(ttft);
        }
        if (rates.Length < 2) return files;

        var scenarios = runs.Select(r => r.Report.Scenario).Distinct().ToArray();
        (string, double[], double[])[] Series(Func<ScenarioReport, double> value) =>
            [.. scenarios.Select(s =>
            {
                var points = runs.Select(r => r.Report).Where(r => r.Scenario == s).OrderBy(r => r.Rate).ToArray();
                return (s, points.Select(p => p.Rate).ToArray(), points.Select(value).ToArray());
            })];
        files.Add(Sweep(directory, $"{prefix}-throughput.png", "Output throughput", "output tokens/s", Series(r => r.OutputTokensPerSecond)));
        files.Add(Sweep(directory, $"{prefix}-e2e-p90.png", "End-to-end latency p90", "seconds", Series(r => r.EndToEnd.P90)));
        files.Add(Sweep(directory, $"{prefix}-slo.png", "SLO attainment", "fraction of requests", Series(r => r.Slo.All)));
        return files;
    }

    private static string Sweep(string directory, string file, string title, string yLabel, (string, double[], double[])[] series)
    {
        Plots.Lines(Path.Combine(directory, file), title, "offered rate (requests/s)", yLabel, series);
        return file;
    }
}
