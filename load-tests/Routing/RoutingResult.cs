using Peft.LoadTests.Reporting;

namespace Peft.LoadTests.Routing;

/// <summary>One policy at one rate: slot hit rate (admissions that found their adapter in a slot, as
/// <c>peft.adapter.hits</c> over hits and slot loads), time to first token, and how evenly requests spread.</summary>
internal sealed record RoutingResult(string Policy, double Rate, int Completed, double SlotHitRate, long SlotLoads,
    double TtftP50Ms, double TtftP90Ms, double TtftP99Ms, double TtftMeanMs, double ThroughputPerSecond, double MaxOverMeanRouted)
{
    public static RoutingResult Of(string policy, RoutingSettings settings, IReadOnlyList<SimRequest> completed, IReadOnlyList<SimReplica> replicas)
    {
        var ttft = new Percentiles(completed.Select(r => r.FirstToken!.Value - r.Arrival));
        long hits = replicas.Sum(r => r.Hits);
        long loads = replicas.Sum(r => r.SlotLoads);
        double span = completed.Max(r => r.FirstToken!.Value) - completed.Min(r => r.Arrival);
        double meanRouted = replicas.Average(r => (double)r.Routed);
        return new RoutingResult(policy, settings.Rate, completed.Count, hits / (double)Math.Max(1, hits + loads), loads,
            ttft.At(50), ttft.At(90), ttft.At(99), ttft.Mean, completed.Count / (span / 1000), replicas.Max(r => r.Routed) / meanRouted);
    }
}
