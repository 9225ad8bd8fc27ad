using Peft.LoadTests.Reporting;

namespace Peft.LoadTests.Benchmarks;

/// <summary>Everything one run of the LoRA benchmark measured.</summary>
internal sealed record LoraReport
{
    public required MachineInfo Machine { get; init; }
    public required LoraSettings Settings { get; init; }
    /// <summary>Every closed-loop run, in the order they ran.</summary>
    public required IReadOnlyList<ThroughputRun> Runs { get; init; }
    public required IReadOnlyList<KernelSummary> Summary { get; init; }
    public required IReadOnlyList<DecodeProfileRow> Profile { get; init; }
    public ZipfReport? Zipf { get; init; }
}

/// <summary>Medians per scenario for one kernel, and the headline ratios (output tokens/s over the makespan).</summary>
internal sealed record KernelSummary(string Kernel, double BaseTokensPerSecond, double MixedTokensPerSecond, double SingleTokensPerSecond,
    double OneAtATimeTokensPerSecond, double BaseDecodeTokensPerSecond, double MixedDecodeTokensPerSecond)
{
    /// <summary>mixed/base within each repetition (runs of a repetition are minutes apart at most).</summary>
    public IReadOnlyList<double> MixedOverBaseByRepetition { get; init; } = [];

    /// <summary>single/base within each repetition.</summary>
    public IReadOnlyList<double> SingleOverBaseByRepetition { get; init; } = [];

    /// <summary>Median of the per-repetition mixed/base ratios: less sensitive to a busy machine than the ratio of medians.</summary>
    public double MixedOverBasePaired => Timing.Median(MixedOverBaseByRepetition);

    /// <summary>The mixed-methods wave (distinct LoRA, DoRA and IA³ adapters, a third each); NaN when not run.</summary>
    public double MixedMethodsTokensPerSecond { get; init; } = double.NaN;

    /// <summary>mixed-methods/base within each repetition.</summary>
    public IReadOnlyList<double> MixedMethodsOverBaseByRepetition { get; init; } = [];

    public double MixedMethodsOverBasePaired => MixedMethodsOverBaseByRepetition.Count == 0 ? double.NaN : Timing.Median(MixedMethodsOverBaseByRepetition);


    public double MixedOverBase => MixedTokensPerSecond / BaseTokensPerSecond;
    public double MixedOverOneAtATime => MixedTokensPerSecond / OneAtATimeTokensPerSecond;
    public double SingleOverBase => SingleTokensPerSecond / BaseTokensPerSecond;
    public double MixedOverBaseDecode => MixedDecodeTokensPerSecond / BaseDecodeTokensPerSecond;
}

/// <summary>The many-adapter run: registered adapters far beyond the device slots, Zipf popularity.</summary>
internal sealed record ZipfReport
{
    public required int Registered { get; init; }
    public required int Slots { get; init; }
    public required long HostBudgetBytes { get; init; }
    public required long AdapterFileBytes { get; init; }
    public required double Alpha { get; init; }
    public required int Requests { get; init; }
    public required int Concurrency { get; init; }
    public required int DistinctAdapters { get; init; }
    public required double RegistrationSeconds { get; init; }
    public required MemoryReading AfterRegistration { get; init; }
    public required MemoryReading AfterRuns { get; init; }
    public required AdapterLoadTimes LoadTimes { get; init; }
    public required IReadOnlyList<ThroughputRun> Runs { get; init; }
    /// <summary>Per kernel run: the engine's adapter counters.</summary>
    public required IReadOnlyDictionary<string, AdapterCounters> Counters { get; init; }
}

/// <summary>Host memory: parsed adapters the registry holds, and the process working set.</summary>
internal sealed record MemoryReading(long RegistryHostBytes, long WorkingSetBytes, long ManagedBytes)
{
    public static MemoryReading Now(long registryHostBytes)
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return new MemoryReading(registryHostBytes, process.WorkingSet64, GC.GetTotalMemory(forceFullCollection: true));
    }
}
