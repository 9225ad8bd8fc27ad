namespace Peft.LoadTests.Workload;

/// <summary>What an open-loop workload draws from. Bounded by <see cref="Duration"/>, by <see cref="MaxRequests"/>,
/// or by both (whichever comes first).</summary>
internal sealed record WorkloadSpec
{
    public required double Rate { get; init; }
    public required int Adapters { get; init; }
    public required double Alpha { get; init; }
    public required LengthDistribution PromptLength { get; init; }
    public required LengthDistribution OutputLength { get; init; }
    public required int VocabSize { get; init; }
    public TimeSpan? Duration { get; init; }
    public int? MaxRequests { get; init; }
    public int Seed { get; init; } = 1;

    /// <summary>Null when valid; otherwise what is wrong.</summary>
    public string? Validate()
    {
        if (!(Rate > 0)) return $"rate {Rate} must be positive";
        if (Adapters < 1) return $"adapters {Adapters} must be at least 1";
        if (Alpha < 0) return $"alpha {Alpha} must not be negative";
        if (Duration is null && MaxRequests is null) return "give --duration, --requests or both, so the run ends";
        if (Duration is { } d && d <= TimeSpan.Zero) return "duration must be positive";
        if (MaxRequests is < 1) return "requests must be at least 1";
        if (VocabSize < 4) return "the vocabulary is too small";
        return null;
    }
}
