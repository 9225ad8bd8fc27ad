namespace Peft.LoadTests.Routing;

/// <summary>Picks a replica for a request from the replicas' last scraped metrics.</summary>
internal abstract class RoutingPolicy(string name)
{
    public string Name { get; } = name;

    public abstract int Pick(int adapter, IReadOnlyList<ReplicaMetrics> replicas, Random random);

    public static RoutingPolicy[] All(RoutingSettings settings) => [new RandomPolicy(), new LeastLoadedPolicy(), new AffinityPolicy(settings.AffinityQueueLimit)];

    /// <summary>The least loaded of <paramref name="candidates"/>: fewest waiting, then running, then KV in use;
    /// ties broken at random.</summary>
    protected static int LeastLoaded(IEnumerable<int> candidates, IReadOnlyList<ReplicaMetrics> replicas, Random random) =>
        candidates.OrderBy(i => replicas[i].Waiting).ThenBy(i => replicas[i].Running).ThenBy(i => replicas[i].KvUsage)
            .ThenBy(_ => random.Next()).First();
}

internal sealed class RandomPolicy() : RoutingPolicy("random")
{
    public override int Pick(int adapter, IReadOnlyList<ReplicaMetrics> replicas, Random random) => random.Next(replicas.Count);
}

internal sealed class LeastLoadedPolicy() : RoutingPolicy("least-loaded")
{
    public override int Pick(int adapter, IReadOnlyList<ReplicaMetrics> replicas, Random random) =>
        LeastLoaded(Enumerable.Range(0, replicas.Count), replicas, random);
}

/// <summary>
/// The inference extension's LoRA affinity, as its endpoint picker filters: replicas whose queue is under the limit;
/// among them those that hold the adapter (running_lora_adapters), else those where it is already wanted
/// (waiting_lora_adapters), else those with a free slot (fewer adapters than max_lora); the least loaded of the first
/// non-empty group; with every queue at the limit, the least loaded of all.
/// </summary>
internal sealed class AffinityPolicy(int queueLimit) : RoutingPolicy("adapter-affinity")
{
    public override int Pick(int adapter, IReadOnlyList<ReplicaMetrics> replicas, Random random)
    {
        var open = Enumerable.Range(0, replicas.Count).Where(i => replicas[i].Waiting < queueLimit).ToArray();
        if (open.Length == 0) return LeastLoaded(Enumerable.Range(0, replicas.Count), replicas, random);
        int[][] groups =
        [
            [.. open.Where(i => replicas[i].Resident.Contains(adapter))],
            [.. open.Where(i => replicas[i].WaitingAdapters.Contains(adapter))],
            [.. open.Where(i => replicas[i].Resident.Count < replicas[i].MaxLora)],
            open,
        ];
        return LeastLoaded(groups.First(g => g.Length > 0), replicas, random);
    }
}
