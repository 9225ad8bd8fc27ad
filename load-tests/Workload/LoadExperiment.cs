using Peft.LoadTests.Reporting;
using Peft.LoadTests.Targets;

namespace Peft.LoadTests.Workload;

/// <summary>
/// The load command's runs: for each rate, one workload (same arrivals, prompts and lengths for every scenario),
/// then each scenario against a fresh target, one after another in the same process.
/// </summary>
internal sealed class LoadExperiment(LoadSettings settings, int vocabSize, Func<Task<ITarget>> newTarget, TextWriter log)
{
    public async Task<IReadOnlyList<ScenarioRun>> RunAsync(CancellationToken cancellationToken = default)
    {
        var ids = settings.AdapterIds();
        var scenarios = settings.Scenarios.Select(Scenarios.Parse).ToArray();
        var runs = new List<ScenarioRun>();
        foreach (double rate in settings.Rates)
        {
            var requests = WorkloadGenerator.Generate(settings.Workload(rate, vocabSize));
            log.WriteLine($"rate {rate}/s: {requests.Count} requests over {requests.Select(r => r.AdapterRank).Distinct().Count()} adapters " +
                $"(last arrival at {(requests.Count == 0 ? 0 : requests[^1].Offset.TotalSeconds):0.0} s)");
            foreach (var scenario in scenarios)
            {
                var inner = await newTarget();
                await using var target = scenario == Scenario.OneAtATime ? new OneAdapterAtATimeTarget(inner) : inner;
                var records = await OpenLoopRunner.RunAsync(target, requests, r => scenario.AdapterOf(r, ids),
                    TimeSpan.FromSeconds(settings.DrainSeconds), cancellationToken);
                var report = ReportAggregator.Summarize(scenario.Name(), rate, records, settings.Slo);
                log.WriteLine($"  {report.Scenario,-14} {report.OutputTokensPerSecond,7:0.0} tokens/s, {report.RequestsPerSecond:0.00} req/s, " +
                    $"ttft p50 {report.Ttft.P50:0.00} s, e2e p90 {report.EndToEnd.P90:0.00} s, SLO {report.Slo.All:P0}, " +
                    $"{string.Join(", ", report.Statuses.Select(s => $"{s.Key} {s.Value}"))}");
                runs.Add(new ScenarioRun(report, records));
            }
        }
        return runs;
    }
}

/// <summary>A scenario's report with the records it was computed from (for plots).</summary>
internal sealed record ScenarioRun(ScenarioReport Report, IReadOnlyList<RequestRecord> Records);
