namespace Peft.LoadTests.Workload;

/// <summary>
/// Draws the requests of an open-loop run: Poisson arrivals at the rate, Zipf(alpha) adapter ranks, prompt and
/// output lengths from their distributions, random prompt tokens. Each property draws from its own seeded stream,
/// so the same seed gives the same arrivals and prompts whatever the adapter count or alpha (and the scenarios of
/// one run differ only in how ranks map to adapters).
/// </summary>
internal static class WorkloadGenerator
{
    /// <summary>Token ids from here up are used for prompts (low ids are often special tokens).</summary>
    public const int FirstPromptToken = 3;

    public static IReadOnlyList<RequestSpec> Generate(WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Validate() is { } problem) throw new ArgumentException(problem, nameof(spec));
        var arrivals = new Random(spec.Seed);
        var ranks = new Random(spec.Seed + 1);
        var lengths = new Random(spec.Seed + 2);
        var tokens = new Random(spec.Seed + 3);
        var zipf = new ZipfSampler(spec.Adapters, spec.Alpha);

        var requests = new List<RequestSpec>();
        foreach (var offset in PoissonArrivals.Offsets(spec.Rate, arrivals))
        {
            if (spec.Duration is { } duration && offset >= duration) break;
            if (spec.MaxRequests is { } max && requests.Count >= max) break;
            int promptLength = spec.PromptLength.Next(lengths);
            int outputLength = spec.OutputLength.Next(lengths);
            var prompt = new int[promptLength];
            for (int i = 0; i < prompt.Length; i++) prompt[i] = tokens.Next(FirstPromptToken, spec.VocabSize);
            requests.Add(new RequestSpec(requests.Count, offset, zipf.Next(ranks), prompt, outputLength));
        }
        return requests;
    }
}
