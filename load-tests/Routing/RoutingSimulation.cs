using Peft.LoadTests.Workload;

namespace Peft.LoadTests.Routing;

/// <summary>
/// A discrete-event simulation of replicas behind a router: the same seeded arrivals and adapters for every policy,
/// the router reading each replica's metrics as of its last scrape. Deterministic for a seed.
/// </summary>
internal static class RoutingSimulation
{
    public static RoutingResult Run(RoutingSettings settings, RoutingPolicy policy)
    {
        var arrivals = Arrivals(settings);
        var replicas = Enumerable.Range(0, settings.Replicas).Select(_ => new SimReplica(settings)).ToArray();
        var router = new Random(settings.Seed + 1);
        var seen = replicas.Select(r => r.Metrics()).ToArray();
        var completed = new List<SimRequest>(arrivals.Length);
        double nextScrape = 0;
        int next = 0;
        while (next < arrivals.Length || replicas.Any(r => r.HasWork))
        {
            double now = Math.Min(nextScrape, next < arrivals.Length ? arrivals[next].Arrival : double.PositiveInfinity);
            foreach (var r in replicas) now = Math.Min(now, r.StepEnd ?? r.Wake ?? double.PositiveInfinity);
            if (double.IsPositiveInfinity(now)) throw new InvalidOperationException("requests wait with nothing left to happen");

            if (now >= nextScrape)
            {
                for (int i = 0; i < replicas.Length; i++) seen[i] = replicas[i].Metrics();
                nextScrape = now + settings.ScrapeMs;
            }
            foreach (var r in replicas.Where(r => r.StepEnd <= now)) r.FinishStep(now, completed);
            while (next < arrivals.Length && arrivals[next].Arrival <= now)
            {
                var request = arrivals[next++];
                replicas[policy.Pick(request.Adapter, seen, router)].Enqueue(request);
            }
            foreach (var r in replicas) r.TryStartStep(now);
        }
        return RoutingResult.Of(policy.Name, settings, completed, replicas);
    }

    private static SimRequest[] Arrivals(RoutingSettings settings)
    {
        var random = new Random(settings.Seed);
        var zipf = new ZipfSampler(settings.Adapters, settings.Alpha);
        double t = 0;
        var requests = new SimRequest[settings.Requests];
        for (int i = 0; i < requests.Length; i++)
        {
            t += -Math.Log(1 - random.NextDouble()) / settings.Rate * 1000;
            requests[i] = new SimRequest(zipf.Next(random), t);
        }
        return requests;
    }
}
