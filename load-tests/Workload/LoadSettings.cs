using Peft.LoadTests.Reporting;

namespace Peft.LoadTests.Workload;

/// <summary>Everything the load command was asked to do (recorded in its report).</summary>
internal sealed record LoadSettings
{
    public required IReadOnlyList<double> Rates { get; init; }
    public required int Adapters { get; init; }
    public required double Alpha { get; init; }
    public required string PromptLength { get; init; }
    public required string OutputLength { get; init; }
    public double? DurationSeconds { get; init; }
    public int? MaxRequests { get; init; }
    public required double DrainSeconds { get; init; }
    public required IReadOnlyList<string> Scenarios { get; init; }
    public required SloSpec Slo { get; init; }
    public required string Target { get; init; }
    public string AdapterPrefix { get; init; } = "lora-";
    public int Seed { get; init; } = 1;

    public WorkloadSpec Workload(double rate, int vocab) => new()
    {
        Rate = rate,
        Adapters = Adapters,
        Alpha = Alpha,
        PromptLength = LengthDistribution.Parse(PromptLength),
        OutputLength = LengthDistribution.Parse(OutputLength),
        VocabSize = vocab,
        Duration = DurationSeconds is { } d ? TimeSpan.FromSeconds(d) : null,
        MaxRequests = MaxRequests,
        Seed = Seed,
    };

    /// <summary>Adapter ids by popularity rank: prefix + four-digit index (as the in-process run registers them).</summary>
    public IReadOnlyList<string> AdapterIds() => [.. Enumerable.Range(0, Adapters).Select(i => $"{AdapterPrefix}{i:D4}")];
}
