namespace Peft.LoadTests.Routing;

/// <summary>
/// One routing simulation: Poisson arrivals at <see cref="Rate"/> over <see cref="Replicas"/> replicas, each request
/// for one of <see cref="Adapters"/> adapters drawn Zipf(<see cref="Alpha"/>). Replica costs default to the bench
/// model measured on this CPU (docs/benchmarks.md): a step costs <see cref="StepMs"/> plus
/// <see cref="DecodeRowMs"/> per decode row and <see cref="PrefillTokenMs"/> per prompt token; a host → slot copy
/// <see cref="SlotLoadMs"/> on the engine thread; a disk → host load <see cref="HostLoadMs"/> off it.
/// </summary>
internal sealed record RoutingSettings
{
    public int Replicas { get; init; } = 4;
    public int Adapters { get; init; } = 1000;
    public double Alpha { get; init; } = 1.0;
    public double Rate { get; init; } = 4;
    public int Requests { get; init; } = 3000;
    public int Seed { get; init; } = 1;

    /// <summary>LoRA slots per replica (Engine:LoraSlots; vLLM's max_loras).</summary>
    public int Slots { get; init; } = 8;
    /// <summary>Adapters a replica's host tier keeps parsed (its Adapters:HostBudgetBytes over the adapter size).</summary>
    public int HostAdapters { get; init; } = 64;
    public int MaxRunning { get; init; } = 32;
    public int MaxBatchTokens { get; init; } = 512;
    public int PromptTokens { get; init; } = 128;
    public int OutputTokens { get; init; } = 64;

    public double StepMs { get; init; } = 28;
    public double DecodeRowMs { get; init; } = 4.6;
    public double PrefillTokenMs { get; init; } = 1.7;
    public double SlotLoadMs { get; init; } = 6.3;
    public double HostLoadMs { get; init; } = 22.2;

    /// <summary>How often the router scrapes each replica's metrics (the inference extension's default refresh is
    /// 50 ms): between scrapes it routes on what it last read.</summary>
    public double ScrapeMs { get; init; } = 50;

    /// <summary>The affinity policy leaves a replica holding the adapter once that many requests wait there (the
    /// endpoint picker's queue threshold for LoRA affinity).</summary>
    public int AffinityQueueLimit { get; init; } = 8;
}
