using Peft.Runtime.Adapters.Serving;

namespace Peft.LoadTests.Benchmarks;

/// <summary>How much the LoRA benchmark runs. Defaults are issue 5's headline workload.</summary>
internal sealed record LoraSettings
{
    public int Adapters { get; init; } = 32;
    public int Rank { get; init; } = 16;
    public int Requests { get; init; } = 32;
    public int Concurrency { get; init; } = 32;
    public int PromptLength { get; init; } = 16;
    public int NewTokens { get; init; } = 64;
    public int Repetitions { get; init; } = 3;
    public int OneAtATimeRepetitions { get; init; } = 1;
    public IReadOnlyList<LoraKernel> Kernels { get; init; } = [LoraKernel.Gather, LoraKernel.Segment];
    public int ProfileContext { get; init; } = 128;
    public int ProfileSteps { get; init; } = 5;
    public bool Zipf { get; init; } = true;
    public int ZipfAdapters { get; init; } = 1000;
    public int ZipfRequests { get; init; } = 128;
    public double ZipfAlpha { get; init; } = 1.0;
    public int Slots { get; init; } = 32;
    public long HostBudgetBytes { get; init; } = 256L << 20;
    public int Seed { get; init; } = 1;
    /// <summary>Also a wave where a third of the requests use distinct LoRAs, a third distinct DoRAs, a third distinct IA³ adapters.</summary>
    public bool MixedMethods { get; init; } = true;
}
